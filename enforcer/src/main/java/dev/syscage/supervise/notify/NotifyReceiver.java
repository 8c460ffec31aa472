package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.syscage.nativeaccess.NotifyFastPath;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

    private final int listener;
    private final Memory notif;
    private final ByteBuffer notifView;
    private final Memory pollFd = new Memory(8);
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
    NotifyReceiver(int listener, int notifSize, boolean blockingRecv, Optional<NotifyFastPath> fastPath,
            FixedAnswers fixed, BooleanSupplier stopping, LongConsumer counted) {
        this.listener = listener;
        this.notif = new Memory(Math.max(notifSize, NOTIF_SIZE));
        // a view of the same native memory: reading it costs no JNI call
        this.notifView = notif.getByteBuffer(0, notif.size()).order(ByteOrder.nativeOrder());
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
    static boolean syncWakeUp(int listener) {
        try {
            ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
            return true;
        } catch (LastErrorException e) {
            return false;
        }
    }

    /** The notification buffer each call to {@code onNotification} finds filled. */
    ByteBuffer notification() {
        return notifView;
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
        try {
            return (pollListener(0) & POLLHUP) != 0;
        } catch (LastErrorException e) {
            return false;
        }
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
        pollFd.setInt(0, listener);
        pollFd.setShort(4, POLLIN);
        pollFd.setShort(6, (short) 0);
        try {
            return poll(Pointer.nativeValue(pollFd), 1, timeoutMs) > 0 ? pollFd.getShort(6) : 0;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EINTR) {
                return 0;
            }
            throw e;
        }
    }

    /**
     * RECV into the zeroed buffer; false when there was nothing (interrupted, or the caller died
     * first). With the native loop, the calls it answers never come back here.
     */
    private boolean receive() {
        if (fixed != null) {
            return receiveNatively();
        }
        Replies.zero(notifView); // the kernel insists on a zeroed buffer
        try {
            ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, Pointer.nativeValue(notif));
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EINTR || e.getErrorCode() == ENOENT) {
                return false;
            }
            throw e;
        }
    }

    /**
     * The native loop's RECV: the calls it answers itself never come back here, and their counts
     * are published after each return.
     */
    private boolean receiveNatively() {
        while (true) {
            int r = fastPath.get().next(listener, Pointer.nativeValue(notif), notif.size(), fixed.address(), NATIVE_BATCH);
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
            throw new LastErrorException(-r);
        }
    }
}
