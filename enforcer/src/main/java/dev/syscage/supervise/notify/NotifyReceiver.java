package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import dev.syscage.nativeaccess.NotifyFastPath;
import dev.syscage.nativeaccess.SeccompListener;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * The receive loop on the listener: RECV into one zeroed buffer, reused for every notification,
 * and hand each to the dispatch. Where the kernel has {@code SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP}
 * (Linux 6.6+) the thread waits in RECV itself (its ENOENT with a hung-up listener ends the loop),
 * and the native loop ({@link NotifyFastPath}) may answer the calls the policy fixes by number;
 * older kernels poll, which also notices the hang-up. Owned by the supervisor thread.
 */
final class NotifyReceiver {
    static final int POLL_MS = 200;
    /** Calls the native loop answers before it returns, so that counters and stop requests stay current. */
    private static final int NATIVE_BATCH = 4096;

    private final SeccompListener listener;
    private final boolean blockingRecv;
    private final Optional<NotifyFastPath> fastPath;
    /** Non-null when the native loop answers the calls it can. */
    private final FixedAnswers fixed;

    private final BooleanSupplier stopping;
    /** Told how many calls the native loop answered. */
    private final LongConsumer counted;

    /**
     * @param blockingRecv wait in RECV (Linux 6.6+, with SYNC_WAKE_UP set) rather than poll
     * @param fixed the native loop's table, or null to receive every call here
     */
    NotifyReceiver(
            SeccompListener listener,
            boolean blockingRecv,
            Optional<NotifyFastPath> fastPath,
            FixedAnswers fixed,
            BooleanSupplier stopping,
            LongConsumer counted) {
        this.listener = listener;
        this.blockingRecv = blockingRecv;
        this.fastPath = fastPath;
        this.fixed = fixed;
        this.stopping = stopping;
        this.counted = counted;
    }

    /**
     * SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6+): wake this thread on the caller's CPU.
     * False on older kernels (EINVAL/ENOTTY): slower per event, same behaviour.
     */
    static boolean syncWakeUp(SeccompListener listener) {
        return listener.setFlags(SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0;
    }

    /** The notification buffer each call to {@code onNotification} finds filled. */
    ByteBuffer notification() {
        return listener.notification();
    }

    /** Receives until no process uses the filter any more (or a stop), calling {@code onNotification} for each. */
    void loop(Runnable onNotification) {
        if (blockingRecv) {
            receiveLoop(onNotification);
        } else {
            pollLoop(onNotification);
        }
    }

    /** Linux 6.6+: RECV waits; its ENOENT with a hung-up listener means no process is left. */
    private void receiveLoop(Runnable onNotification) {
        while (!stopping.getAsBoolean()) {
            if (!receive()) {
                if (hungUp()) {
                    return;
                }
                continue;
            }
            onNotification.run();
        }
    }

    private boolean hungUp() {
        int revents = listener.poll(POLLIN, 0);
        return revents > 0 && (revents & POLLHUP) != 0;
    }

    private void pollLoop(Runnable onNotification) {
        while (!stopping.getAsBoolean()) {
            int revents = pollListener(POLL_MS);
            if ((revents & POLLIN) != 0) {
                if (receive()) {
                    onNotification.run();
                }
            } else if ((revents & POLLHUP) != 0) {
                return;
            }
        }
    }

    /** poll(2) on the listener for POLLIN: the events it reports, 0 after a timeout or EINTR. */
    private int pollListener(int timeoutMs) {
        int r = listener.poll(POLLIN, timeoutMs);
        if (r == -EINTR) {
            return 0;
        }
        if (r < 0) {
            throw new IllegalStateException("poll on the seccomp listener: errno " + -r);
        }
        return r;
    }

    /**
     * RECV into the zeroed buffer; false when there was nothing (interrupted, or the caller died
     * first). With the native loop, the calls it answers never come back here.
     */
    private boolean receive() {
        if (fixed != null) {
            return receiveNatively();
        }
        int r = listener.recv(); // into a zeroed buffer: the kernel insists
        if (r == -EINTR || r == -ENOENT) {
            return false;
        }
        if (r < 0) {
            throw new IllegalStateException("SECCOMP_IOCTL_NOTIF_RECV: errno " + -r);
        }
        return true;
    }

    /**
     * The native loop's RECV: the calls it answers itself never come back here, and their counts
     * are published after each return.
     */
    private boolean receiveNatively() {
        while (true) {
            int r = listener.next(fastPath.get(), fixed.table(), NATIVE_BATCH);
            counted.accept(fixed.publish());
            if (r == NotifyFastPath.ASK) {
                return true;
            }
            if (r == NotifyFastPath.BATCH) {
                if (stopping.getAsBoolean()) {
                    return false;
                }
                continue;
            }
            if (r == -EINTR || r == -ENOENT) {
                return false;
            }
            throw new IllegalStateException("the native receive loop: errno " + -r);
        }
    }
}
