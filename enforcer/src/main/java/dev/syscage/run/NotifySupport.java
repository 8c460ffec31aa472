package dev.syscage.run;

import dev.syscage.nativeaccess.Pidfd;
import dev.syscage.nativeaccess.SeccompProbe;
import dev.syscage.policy.seccomp.SeccompRet;

/**
 * Whether this kernel can run notify mode, asked once per JVM: {@code syscage run} uses notify
 * mode by default when it can and falls back to ptrace when it cannot, so the answer must come
 * before anything is launched, and without installing a filter. Notify mode needs
 * {@code SECCOMP_GET_NOTIF_SIZES} (Linux 5.0), {@code SECCOMP_RET_USER_NOTIF} reported by
 * {@code SECCOMP_GET_ACTION_AVAIL}, and {@code pidfd_getfd} (Linux 5.6), which fetches the listener.
 */
public record NotifySupport(boolean available, String reason) {
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
        int r = SeccompProbe.getNotifSizes();
        if (r < 0) {
            return missing("seccomp(SECCOMP_GET_NOTIF_SIZES) failed with errno " + -r + " (needs Linux 5.0)");
        }
        r = SeccompProbe.getActionAvail(SeccompRet.SECCOMP_RET_USER_NOTIF);
        if (r < 0) {
            return missing("SECCOMP_RET_USER_NOTIF is not available (errno " + -r + ")");
        }
        if (Pidfd.kernel().pidfd_getfd(-1, 0) == -ENOSYS) { // a bad pidfd: EBADF where the call exists
            return missing("pidfd_getfd is not available (needs Linux 5.6)");
        }
        return new NotifySupport(true, "seccomp user notification and pidfd_getfd are available");
    }

    private static NotifySupport missing(String why) {
        return new NotifySupport(false, why);
    }
}
