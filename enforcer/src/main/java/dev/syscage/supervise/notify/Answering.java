package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import dev.syscage.nativeaccess.LinuxCLibrary;
import dev.syscage.nativeaccess.SeccompListener;
import dev.syscage.supervise.Decision;
import java.util.function.IntConsumer;

/**
 * The answer to the notification being handled: sends it on the listener and keeps what was
 * sent (the decision, a second look's refusal included) and what the program got where that is
 * a value, for the call's one record. SEND and ID_VALID take the filter's lock interruptibly, so
 * an EINTR is asked again: an answer must not be lost to a signal. One per thread that answers;
 * {@link #begin} starts each notification.
 */
final class Answering {
    private final SeccompListener listener;
    /** SIGKILL to a process (a fake in tests: a real kill would hit a real pid). */
    private final IntConsumer sigkill;

    private Decision sent;
    private Long result;

    Answering(SeccompListener listener) {
        this(listener, pid -> LinuxCLibrary.instance().kill(pid, SIGKILL)); // fails only when it is gone already
    }

    Answering(SeccompListener listener, IntConsumer sigkill) {
        this.listener = listener;
        this.sigkill = sigkill;
    }

    /** A new notification, decided {@code d} so far. */
    void begin(Decision d) {
        sent = d;
        result = null;
    }

    /** The decision sent (or about to be). */
    Decision sent() {
        return sent;
    }

    /** What the program got where the supervisor answered with a value; null where the kernel ran the call. */
    Long result() {
        return result;
    }

    /** The supervisor's call gave the program descriptor {@code fd} (ADDFD with SEND answered it). */
    void injected(int fd) {
        result = (long) fd;
    }

    /** Whether notification {@code id} still waits for its answer. */
    boolean idValid(long id) {
        int r;
        do {
            r = listener.idValid(id);
        } while (r == -EINTR);
        return answered(r, "SECCOMP_IOCTL_NOTIF_ID_VALID");
    }

    /** Sends {@code d}; false when the notification was gone (ENOENT). */
    boolean answer(long id, int pid, Decision d) {
        sent = d;
        return switch (d.kind()) {
            case ALLOW -> send(id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
            case ERRNO -> send(id, -d.errno(), 0);
            case KILL -> {
                sigkill.accept(pid);
                boolean answered = send(id, -ENOSYS, 0);
                result = null; // the process is being killed: it gets nothing back
                yield answered;
            }
            case INTERRUPTED -> throw new IllegalArgumentException("not an answer: " + d);
        };
    }

    /**
     * SECCOMP_IOCTL_NOTIF_SEND; false when the call was interrupted or the caller died meanwhile.
     * Keeps what the program got, where it is a value ({@code error}: 0 or -errno) and not the
     * kernel's own run of the call (CONTINUE).
     */
    boolean send(long id, int error, int flags) {
        int r;
        do {
            r = listener.send(id, error, flags);
        } while (r == -EINTR);
        boolean answered = answered(r, "SECCOMP_IOCTL_NOTIF_SEND");
        if (answered) {
            result = (flags & SECCOMP_USER_NOTIF_FLAG_CONTINUE) != 0 ? null : (long) error;
        }
        return answered;
    }

    /** True for 0, false for ENOENT (the call went away); any other errno is the listener broken. */
    private static boolean answered(int r, String call) {
        if (r == -ENOENT) {
            return false;
        }
        if (r < 0) {
            throw new IllegalStateException(call + ": errno " + -r);
        }
        return true;
    }
}
