package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import com.sun.jna.LastErrorException;
import dev.syscage.supervise.Decision;

/**
 * The answer to the notification being handled: sends it on the listener ({@link Replies}) and
 * keeps what was sent (the decision, a second look's refusal included) and what the program got
 * where that is a value, for the call's one record. Owned by the supervisor thread; {@link #begin}
 * starts each notification.
 */
final class Answering {
    private final Replies replies;
    private Decision sent;
    private Long result;

    Answering(Replies replies) {
        this.replies = replies;
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
        return replies.idValid(id);
    }

    /** Sends {@code d}; false when the notification was gone (ENOENT). */
    boolean answer(long id, int pid, Decision d) {
        sent = d;
        return switch (d.kind()) {
            case ALLOW -> send(id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
            case ERRNO -> send(id, -d.errno(), 0);
            case KILL -> {
                try {
                    kill(pid, SIGKILL);
                } catch (LastErrorException e) {
                    // already gone
                }
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
        boolean answered = replies.send(id, error, flags);
        if (answered) {
            result = (flags & SECCOMP_USER_NOTIF_FLAG_CONTINUE) != 0 ? null : (long) error;
        }
        return answered;
    }
}
