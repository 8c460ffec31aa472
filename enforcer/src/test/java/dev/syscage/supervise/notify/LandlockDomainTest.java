package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.RawCalls.EACCES;
import static dev.syscage.nativeaccess.RawCalls.O_WRONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.nativeaccess.KernelLandlock;
import dev.syscage.nativeaccess.Landlock;
import dev.syscage.nativeaccess.RawCalls;
import dev.syscage.policy.landlock.FsAccess;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.NetAccess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The domain's threads: made and restricted before anything runs on them, calls handed over
 * and answered, nothing ever run outside the domain (a thread that cannot restrict itself runs
 * nothing, a closed domain answers EPERM), and {@link LandlockDomain#NONE} running calls where
 * they are made. The first tests use a stand-in for the kernel's restriction; the last ones the
 * kernel.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LandlockDomainTest {
    private static final int EPERM = 1;

    @TempDir
    Path dir;

    private Path allowed;
    private Path other;
    private LandlockDomain domain = LandlockDomain.NONE;

    @BeforeAll
    static void loadBeforeAnyThreadIsRestricted() {
        RawCalls.load();
    }

    @BeforeEach
    void tree() throws IOException {
        allowed = Files.createDirectory(dir.resolve("allowed"));
        other = Files.createDirectory(dir.resolve("other"));
        Files.writeString(allowed.resolve("g"), "g");
        Files.writeString(other.resolve("f"), "f");
    }

    @AfterEach
    void close() {
        domain.close();
    }

    /** Whether every one of {@code threads} has ended within 10 s in all (each joined with what is left). */
    static boolean endWithin10s(Iterable<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Thread t : threads) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left > 0) {
                t.join(left);
            }
            if (t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    @Test
    void withoutADomainCallsRunOnTheCallersThread() {
        Thread me = Thread.currentThread();
        assertFalse(LandlockDomain.NONE.confined());
        assertEquals(1, LandlockDomain.NONE.call(() -> Thread.currentThread() == me ? 1 : 0));
        LandlockDomain.NONE.close();
        assertEquals(2, LandlockDomain.NONE.call(() -> 2), "NONE ignores close");
    }

    @Test
    void aRulesetThatHandlesNoFileSystemRightIsNoDomain() {
        Landlock refusing = new Landlock() {
            @Override
            public int abi() {
                return 0;
            }

            @Override
            public Ruleset createRuleset(LandlockRuleset r) {
                throw new AssertionError("no ruleset should be made");
            }
        };
        assertSame(LandlockDomain.NONE, LandlockDomain.of(LandlockRuleset.NONE, refusing));
        LandlockRuleset netOnly =
                new LandlockRuleset(0, NetAccess.CONNECT_TCP, 0, List.of(), List.of(), LandlockRuleset.Compat.REQUIRED);
        assertSame(LandlockDomain.NONE, LandlockDomain.of(netOnly, refusing));
        LandlockRuleset fs = new LandlockRuleset(
                FsAccess.WRITE_FILE, 0, 0, List.of(), List.of(), LandlockRuleset.Compat.BEST_EFFORT);
        assertSame(LandlockDomain.NONE, LandlockDomain.of(fs, refusing), "a kernel without Landlock (ABI 0)");
    }

    @Test
    void callsRunOneAtATimeOnTheDomainsOwnDaemonThread() throws Exception {
        List<String> restricted = new java.util.concurrent.CopyOnWriteArrayList<>();
        domain = new LandlockDomain(() -> restricted.add(Thread.currentThread().getName()), () -> {});
        assertTrue(domain.confined());
        assertEquals(List.of("syscage-landlock-1"), restricted, "restricted at construction");
        CompletableFuture<Thread> ran = new CompletableFuture<>();
        assertEquals(42, domain.call(() -> {
            ran.complete(Thread.currentThread());
            return 42;
        }));
        Thread worker = ran.get();
        assertEquals("syscage-landlock-1", worker.getName());
        assertTrue(worker.isDaemon());
        assertEquals(-2, domain.call(() -> -2), "an errno comes back as it is");
        IllegalStateException thrown = assertThrows(
                IllegalStateException.class,
                () -> domain.call(() -> {
                    throw new IllegalStateException("in the task");
                }));
        assertEquals("in the task", thrown.getMessage());
        assertEquals(7, domain.call(() -> 7), "the thread goes on after a task threw");
        assertEquals(List.of("syscage-landlock-1"), restricted, "one thread, restricted once");
    }

    @Test
    void aClosedDomainRunsNothingAndItsThreadEnds() throws Exception {
        AtomicBoolean released = new AtomicBoolean();
        CompletableFuture<Thread> worker = new CompletableFuture<>();
        domain = new LandlockDomain(() -> worker.complete(Thread.currentThread()), () -> released.set(true));
        domain.close();
        assertTrue(released.get());
        AtomicBoolean ran = new AtomicBoolean();
        assertEquals(-EPERM, domain.call(() -> {
            ran.set(true);
            return 0;
        }));
        assertFalse(ran.get());
        assertTrue(endWithin10s(List.of(worker.join())), "the domain's thread is still alive");
    }

    @Test
    void aDomainWhoseFirstThreadCannotBeRestrictedIsNotMade() throws Exception {
        AtomicBoolean released = new AtomicBoolean();
        CompletableFuture<Thread> worker = new CompletableFuture<>();
        Landlock.Failure failure = new Landlock.Failure("landlock_restrict_self", 1, null);
        Landlock.Failure thrown = assertThrows(
                Landlock.Failure.class,
                () -> new LandlockDomain(
                        () -> {
                            worker.complete(Thread.currentThread());
                            throw failure;
                        },
                        () -> released.set(true)));
        assertSame(failure, thrown);
        assertTrue(released.get(), "the ruleset is released");
        assertTrue(endWithin10s(List.of(worker.join())), "its thread is left");
    }

    /** A later thread that cannot restrict itself runs what the caller gave for refusal, never the body. */
    @Test
    void aLaterThreadThatCannotRestrictItselfRunsNothing() throws Exception {
        AtomicInteger restricts = new AtomicInteger();
        domain = new LandlockDomain(
                () -> {
                    if (restricts.incrementAndGet() > 1) {
                        throw new Landlock.Failure("landlock_restrict_self", 1, null);
                    }
                },
                () -> {});
        CompletableFuture<String> what = new CompletableFuture<>();
        Thread t = domain.start("unused", () -> what.complete("body"), () -> what.complete("refused"));
        assertEquals("refused", what.get(10, TimeUnit.SECONDS));
        assertTrue(t.getName().startsWith("syscage-landlock-") && t.isDaemon(), t.getName());
        domain.close();
        CompletableFuture<String> afterClose = new CompletableFuture<>();
        domain.start("unused", () -> afterClose.complete("body"), () -> afterClose.complete("refused"));
        assertEquals("refused", afterClose.get(10, TimeUnit.SECONDS));
        assertEquals(2, restricts.get(), "a closed domain does not even try");
    }

    @Test
    void withoutADomainAStartedThreadRunsTheBodyUnderItsName() throws Exception {
        CompletableFuture<String> what = new CompletableFuture<>();
        Thread t = LandlockDomain.NONE.start(
                "syscage-fifo-open",
                () -> what.complete(Thread.currentThread().getName()),
                () -> what.complete("refused"));
        assertEquals("syscage-fifo-open", what.get(10, TimeUnit.SECONDS));
        assertTrue(t.isDaemon());
    }

    @Test
    void theKernelsDomainRefusesWhatItDoesNotAllowOnItsThreadsOnly() throws Exception {
        domain = LandlockDomain.of(KernelLandlock.allBeneath(allowed));
        assertTrue(domain.confined());
        String f = other.resolve("f").toString();
        assertEquals(-EACCES, domain.call(() -> RawCalls.open(f, O_WRONLY)));
        assertEquals(0, domain.call(() -> RawCalls.open(allowed.resolve("g").toString(), O_WRONLY)));
        assertEquals(0, RawCalls.open(f, O_WRONLY), "the caller's thread is not in the domain");
        CompletableFuture<Integer> fromStarted = new CompletableFuture<>();
        domain.start(
                "unused", () -> fromStarted.complete(RawCalls.open(f, O_WRONLY)), () -> fromStarted.complete(-EPERM));
        assertEquals(-EACCES, fromStarted.get(10, TimeUnit.SECONDS));
    }

    /**
     * The ruleset's paths are opened when the domain is made: a thread started after a rule's
     * directory was moved away and replaced by a symlink into a denied tree is in the same
     * domain as the first, not in one that follows the new name.
     */
    @Test
    void threadsStartedLaterGetTheRulesAsTheyWereWhenTheDomainWasMade() throws Exception {
        domain = LandlockDomain.of(KernelLandlock.allBeneath(allowed));
        Path moved = Files.move(allowed, dir.resolve("moved"));
        Files.createSymbolicLink(allowed, other);
        CompletableFuture<int[]> got = new CompletableFuture<>();
        domain.start(
                "unused",
                () -> got.complete(new int[] {
                    RawCalls.open(other.resolve("f").toString(), O_WRONLY),
                    RawCalls.open(moved.resolve("g").toString(), O_WRONLY)
                }),
                () -> got.complete(new int[] {-EPERM, -EPERM}));
        int[] r = got.get(10, TimeUnit.SECONDS);
        assertEquals(List.of(-EACCES, 0), List.of(r[0], r[1]));
    }

    @Test
    void aRulesetTheKernelCannotMakeFailsBeforeAnyThreadRuns() throws Exception {
        KernelLandlock.allBeneath(allowed); // skips where there is no Landlock
        Path missing = dir.resolve("missing");
        LandlockRuleset r = new LandlockRuleset(
                FsAccess.WRITE_FILE,
                0,
                0,
                List.of(new LandlockRuleset.PathRule(missing.toString(), FsAccess.WRITE_FILE, false, null)),
                List.of(),
                LandlockRuleset.Compat.REQUIRED);
        Landlock.Failure f = assertThrows(Landlock.Failure.class, () -> LandlockDomain.of(r));
        assertTrue(
                f.getMessage().startsWith("open(" + missing + ", O_PATH): No such file or directory (ENOENT)."),
                f.getMessage());
    }
}
