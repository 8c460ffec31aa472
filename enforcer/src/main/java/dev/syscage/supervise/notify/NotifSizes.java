package dev.syscage.supervise.notify;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.syscage.nativeaccess.SeccompNotify;

/**
 * The sizes of the notification structures as this kernel has them (SECCOMP_GET_NOTIF_SIZES):
 * a newer kernel may have grown them, and RECV writes the kernel's size, so buffers are at least
 * that large.
 */
record NotifSizes(int notif, int resp, int data) {
    static NotifSizes query() {
        Memory m = new Memory(6);
        m.clear();
        try {
            SeccompNotify.syscall(SeccompNotify.SYS_seccomp, SeccompNotify.SECCOMP_GET_NOTIF_SIZES, 0, Pointer.nativeValue(m));
        } catch (LastErrorException e) {
            throw new IllegalStateException("seccomp(SECCOMP_GET_NOTIF_SIZES): errno " + e.getErrorCode()
                    + " (notify mode needs Linux 5.0 or later)", e);
        }
        return new NotifSizes(m.getShort(0) & 0xffff, m.getShort(2) & 0xffff, m.getShort(4) & 0xffff);
    }
}
