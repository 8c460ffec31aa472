package dev.syscage.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting on a condition with a deadline: the one place the tests poll. A test that waits for
 * something asks this for the condition it needs, instead of sleeping for a time it guessed
 * would be enough ({@link SleepGuardTest} flags a {@code Thread.sleep} anywhere else in the tests).
 */
public final class Await {
    /** How often a condition is asked. */
    static final long POLL_MILLIS = 10;

    private Await() {}

    /** Whether {@code condition} holds within {@code timeout}; false once the deadline passes. */
    public static boolean within(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }

    /** Fails the test with {@code what} unless {@code condition} holds within {@code timeout}. */
    public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> what)
            throws InterruptedException {
        assertTrue(within(timeout, condition), () -> what.get() + " (waited " + timeout.toMillis() + " ms)");
    }

    /** Fails the test with {@code what} unless {@code condition} holds within {@code timeout}. */
    public static void until(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        until(timeout, condition, () -> what);
    }

    /**
     * Whether {@code condition} holds at every look during {@code window}; false at the first look
     * where it does not. For a property that must last (a stopped process stays stopped), not to
     * wait for something: the window is how long the test watches, and a shorter one on a slow
     * machine only makes the test weaker, never wrong.
     */
    public static boolean throughout(Duration window, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + window.toNanos();
        do {
            if (!condition.getAsBoolean()) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        } while (System.nanoTime() - end < 0);
        return condition.getAsBoolean();
    }
}
