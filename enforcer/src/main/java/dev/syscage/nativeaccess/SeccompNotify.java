package dev.syscage.nativeaccess;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The raw calls of the notify supervisor, direct-mapped with JNA like {@link Ptrace}: the
 * seccomp listener's ioctls, the pidfd calls that fetch the listener from the launched process,
 * and poll. Named and typed as in libc (syscalls without a libc wrapper go through
 * {@code syscall(2)}); constants keep the kernel's names. Methods throw
 * {@link LastErrorException} (with errno) on failure.
 */
public final class SeccompNotify {
    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private SeccompNotify() {}

    /** x86_64 syscall numbers. */
    public static final long SYS_seccomp = 317;

    public static final long SYS_pidfd_open = 434;
    public static final long SYS_pidfd_getfd = 438;
    public static final long SYS_openat2 = 437;
    public static final long SYS_mkdirat = 258;
    public static final long SYS_unlinkat = 263;
    public static final long SYS_mknodat = 259;
    public static final long SYS_linkat = 265;
    public static final long SYS_symlinkat = 266;
    public static final long SYS_renameat2 = 316;
    public static final long SYS_openat = 257;
    public static final long SYS_readlinkat = 267;
    public static final long SYS_fcntl = 72;
    public static final int F_SETFL = 4;
    public static final long SYS_ftruncate = 77;
    public static final long SYS_fchmodat = 268;
    public static final long SYS_fchownat = 260;
    public static final long SYS_statx = 332;
    public static final long SYS_utimensat = 280;
    public static final long SYS_setxattr = 188;
    public static final long SYS_removexattr = 197;

    public static final int SECCOMP_GET_NOTIF_SIZES = 3;

    /** _IOWR('!', 0, struct seccomp_notif) and friends, as the kernel headers compute them. */
    public static final long SECCOMP_IOCTL_NOTIF_RECV = 0xc0502100L;

    public static final long SECCOMP_IOCTL_NOTIF_SEND = 0xc0182101L;
    public static final long SECCOMP_IOCTL_NOTIF_ID_VALID = 0x40082102L;
    public static final long SECCOMP_IOCTL_NOTIF_ADDFD = 0x40182103L;
    /** Linux 6.6+. */
    public static final long SECCOMP_IOCTL_NOTIF_SET_FLAGS = 0x40082104L;

    public static final int SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1;
    public static final int SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP = 1;

    /** struct seccomp_notif_addfd: u64 id; u32 flags; u32 srcfd; u32 newfd; u32 newfd_flags. */
    public static final int ADDFD_ID = 0;

    public static final int ADDFD_FLAGS = 8;
    public static final int ADDFD_SRCFD = 12;
    public static final int ADDFD_NEWFD = 16;
    public static final int ADDFD_NEWFD_FLAGS = 20;
    public static final int ADDFD_SIZE = 24;
    public static final int SECCOMP_ADDFD_FLAG_SETFD = 1;
    public static final int SECCOMP_ADDFD_FLAG_SEND = 2;

    /** struct open_how (openat2): u64 flags; u64 mode; u64 resolve. */
    public static final int OPEN_HOW_SIZE = 24;

    public static final long RESOLVE_NO_XDEV = 0x01;
    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    public static final long RESOLVE_NO_SYMLINKS = 0x04;
    public static final long RESOLVE_BENEATH = 0x08;
    public static final long RESOLVE_IN_ROOT = 0x10;
    public static final long RESOLVE_CACHED = 0x20;
    public static final int AT_FDCWD = -100;
    /** The *at calls' flags, as in fcntl.h. */
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;

    public static final int AT_REMOVEDIR = 0x200;
    public static final int AT_SYMLINK_FOLLOW = 0x400;
    public static final int AT_EMPTY_PATH = 0x1000;

    /** struct seccomp_notif: u64 id; u32 pid; u32 flags; struct seccomp_data data. */
    public static final int NOTIF_ID = 0;

    public static final int NOTIF_PID = 8;
    public static final int NOTIF_DATA_NR = 16;
    public static final int NOTIF_DATA_ARCH = 20;
    public static final int NOTIF_DATA_IP = 24;
    public static final int NOTIF_DATA_ARGS = 32;
    public static final int NOTIF_SIZE = 80;

    /** struct seccomp_notif_resp: u64 id; s64 val; s32 error; u32 flags. */
    public static final int RESP_ID = 0;

    public static final int RESP_VAL = 8;
    public static final int RESP_ERROR = 16;
    public static final int RESP_FLAGS = 20;
    public static final int RESP_SIZE = 24;

    public static final short POLLIN = 0x001;
    public static final short POLLHUP = 0x010;

    public static final int SIGKILL = 9;
    public static final int EINTR = 4;
    public static final int ENOENT = 2;
    public static final int EBADF = 9;
    public static final int ESRCH = 3;
    public static final int ENOSYS = 38;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int ENOTDIR = 20;
    public static final int EINVAL = 22;
    public static final int E2BIG = 7;
    public static final int EPERM = 1;
    public static final int EEXIST = 17;
    public static final int EBUSY = 16;
    public static final int EISDIR = 21;
    public static final int ENOTEMPTY = 39;
    public static final int EOPNOTSUPP = 95;
    public static final int ENAMETOOLONG = 36;
    public static final int EILSEQ = 84;
    public static final int ELOOP = 40;
    public static final int EAGAIN = 11;

    public static native int ioctl(int fd, long request, long arg) throws LastErrorException;

    public static native long syscall(long number, long a1, long a2, long a3) throws LastErrorException;

    public static native long syscall(long number, long a1, long a2, long a3, long a4) throws LastErrorException;

    public static native long syscall(long number, long a1, long a2, long a3, long a4, long a5)
            throws LastErrorException;

    public static native int poll(long fds, long nfds, int timeout) throws LastErrorException;

    public static native int close(int fd) throws LastErrorException;

    public static native int kill(int pid, int sig) throws LastErrorException;

    /** openat2(dirfd, path, how, size): {@code path} and {@code how} are native addresses. */
    public static int openat2(int dirfd, long path, long how) {
        return (int) syscall(SYS_openat2, dirfd, path, how, OPEN_HOW_SIZE);
    }

    /** pidfd_open(pid, 0). */
    public static int pidfd_open(int pid) {
        return (int) syscall(SYS_pidfd_open, pid, 0, 0);
    }

    /** pidfd_getfd(pidfd, targetfd, 0): a copy of another process's fd, close-on-exec. */
    public static int pidfd_getfd(int pidfd, int targetFd) {
        return (int) syscall(SYS_pidfd_getfd, pidfd, targetFd, 0);
    }
}
