package dev.syscage.run;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.syscage.nativeaccess.SeccompNotify;

/**
 * Whether this kernel can run notify mode, asked once per JVM: {@code syscage run} uses notify
 * mode by default when it can and falls back to ptrace when it cannot, so the answer must come
 * before anything is launched, and without installing a filter. Notify mode needs
 * {@code SECCOMP_GET_NOTIF_SIZES} (Linux 5.0), {@code SECCOMP_RET_USER_NOTIF} reported by
 * {@code SECCOMP_GET_ACTION_AVAIL}, and {@code pidfd_getfd} (Linux 5.6), which fetches the listener.
 */
public record NotifySupport(boolean available, String reason) {
    private static final int SECCOMP_GET_ACTION_AVAIL = 2;
    private static final int SECCOMP_RET_USER_NOTIF = 0x7fc00000;
    private static final int ENOSYS = 38;

    private static final class Holder {
        static final NotifySupport PROBED = probe();
    }

    /** The probe's answer, computed on first use. */
    public static NotifySupport ofThisKernel() {
        return Holder.PROBED;
    }

    /** Asks the kernel; each failed step says what is missing. */
    static NotifySupport probe() {
        Memory m = new Memory(8);
        m.clear();
        try {
            SeccompNotify.syscall(SeccompNotify.SYS_seccomp, SeccompNotify.SECCOMP_GET_NOTIF_SIZES, 0, Pointer.nativeValue(m));
        } catch (LastErrorException e) {
            return missing("seccomp(SECCOMP_GET_NOTIF_SIZES) failed with errno " + e.getErrorCode() + " (needs Linux 5.0)");
        }
        m.setInt(0, SECCOMP_RET_USER_NOTIF);
        try {
            SeccompNotify.syscall(SeccompNotify.SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, Pointer.nativeValue(m));
        } catch (LastErrorException e) {
            return missing("SECCOMP_RET_USER_NOTIF is not available (errno " + e.getErrorCode() + ")");
        }
        try {
            SeccompNotify.pidfd_getfd(-1, 0); // a bad pidfd: EBADF where the call exists
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ENOSYS) {
                return missing("pidfd_getfd is not available (needs Linux 5.6)");
            }
        }
        return new NotifySupport(true, "seccomp user notification and pidfd_getfd are available");
    }

    private static NotifySupport missing(String why) {
        return new NotifySupport(false, why);
    }
}
