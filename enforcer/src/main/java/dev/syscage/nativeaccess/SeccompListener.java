package dev.syscage.nativeaccess;

import java.nio.ByteBuffer;

/**
 * A seccomp user-notification listener as the notify supervisor uses it: the ioctls of
 * seccomp_unotify(2), named after them, and poll. Every call returns what the kernel returns
 * (0, a count or a descriptor) or -errno, never throws, and allocates nothing: structures are
 * filled in buffers the handle owns. A handle belongs to one thread ({@link #forThread} makes
 * another on the same listener); it does not close the listener. {@link JnaSeccompListener} is
 * the kernel's; tests use fakes.
 */
public interface SeccompListener {
    /**
     * The buffer {@link #recv} fills (struct seccomp_notif, offsets
     * {@link SeccompNotify#NOTIF_ID} and on), native byte order, at least the kernel's size.
     */
    ByteBuffer notification();

    /** SECCOMP_IOCTL_NOTIF_SET_FLAGS ({@link SeccompNotify#SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP}, Linux 6.6+). */
    int setFlags(long flags);

    /** SECCOMP_IOCTL_NOTIF_RECV into {@link #notification}, zeroed first (the kernel insists). */
    int recv();

    /** SECCOMP_IOCTL_NOTIF_SEND: struct seccomp_notif_resp {id, val 0, error, flags}. */
    int send(long id, int error, int flags);

    /** SECCOMP_IOCTL_NOTIF_ID_VALID: 0 while notification {@code id} waits for its answer. */
    int idValid(long id);

    /**
     * SECCOMP_IOCTL_NOTIF_ADDFD: installs our {@code srcFd} in the target; with
     * {@link SeccompNotify#SECCOMP_ADDFD_FLAG_SEND} also answers {@code id} with its number.
     * The number in the target, or -errno.
     */
    int addFd(long id, int srcFd, int newFdFlags, int flags);

    /** poll(2) on the listener for {@code events}: the events it reports, 0 after the timeout, or -errno. */
    int poll(short events, int timeoutMs);

    /**
     * The native receive loop ({@link NotifyFastPath#next}) on this handle's notification
     * buffer: {@link NotifyFastPath#ASK}, {@link NotifyFastPath#BATCH} or -errno.
     */
    int next(NotifyFastPath fastPath, NotifyFastPath.Table table, int maxFast);

    /** Another handle on the same listener, with buffers of its own, for another thread. */
    SeccompListener forThread();

    /**
     * The kernel's listener {@code fd}, with buffers as large as this kernel's structures
     * ({@code SECCOMP_GET_NOTIF_SIZES}).
     *
     * @throws IllegalStateException when the kernel has no user notification (before Linux 5.0)
     */
    static SeccompListener of(int fd) {
        return new JnaSeccompListener(fd, JnaSeccompListener.sizes());
    }
}
