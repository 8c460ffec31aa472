package dev.syscage.nativeaccess;

import com.sun.jna.LastErrorException;

/** {@link Pidfd} through the direct-mapped calls of {@link SeccompNotify}. */
final class JnaPidfd implements Pidfd {
    static final JnaPidfd INSTANCE = new JnaPidfd();

    private JnaPidfd() {}

    @Override
    public int pidfd_open(int pid) {
        try {
            return SeccompNotify.pidfd_open(pid);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int pidfd_getfd(int pidfd, int targetFd) {
        try {
            return SeccompNotify.pidfd_getfd(pidfd, targetFd);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int close(int fd) {
        try {
            return SeccompNotify.close(fd);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }
}
