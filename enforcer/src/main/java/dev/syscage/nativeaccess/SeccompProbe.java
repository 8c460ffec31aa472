package dev.syscage.nativeaccess;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * The seccomp(2) operations that ask the kernel what it supports, without installing anything:
 * each returns 0 or -errno and never throws.
 */
public final class SeccompProbe {
    private static final int SECCOMP_GET_ACTION_AVAIL = 2;

    private SeccompProbe() {}

    /** seccomp(SECCOMP_GET_NOTIF_SIZES): Linux 5.0+. */
    public static int getNotifSizes() {
        return seccomp(SeccompNotify.SECCOMP_GET_NOTIF_SIZES, 0);
    }

    /** seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action): whether the kernel knows filter action {@code action}. */
    public static int getActionAvail(int action) {
        return seccomp(SECCOMP_GET_ACTION_AVAIL, action);
    }

    private static int seccomp(int op, int value) {
        Memory m = new Memory(8);
        m.clear();
        m.setInt(0, value);
        try {
            return (int) SeccompNotify.syscall(SeccompNotify.SYS_seccomp, op, 0, Pointer.nativeValue(m));
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }
}
