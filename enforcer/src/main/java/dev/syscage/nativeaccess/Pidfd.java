package dev.syscage.nativeaccess;

/**
 * The pidfd calls that reach the launched process and take its seccomp listener, named as in
 * libc (through syscall(2) where libc has no wrapper). Each returns a descriptor or 0, or -errno,
 * and never throws. {@link #kernel} is the kernel's ({@link JnaPidfd}).
 */
public interface Pidfd {
    /** pidfd_open(pid, 0). */
    int pidfd_open(int pid);

    /** pidfd_getfd(pidfd, targetfd, 0): a copy of another process's fd, close-on-exec. */
    int pidfd_getfd(int pidfd, int targetFd);

    int close(int fd);

    static Pidfd kernel() {
        return JnaPidfd.INSTANCE;
    }
}
