package dev.syscage.nativeaccess;

/**
 * The libc calls the enforcer needs, named as in libc and with the kernel's constants; the JNA
 * binding ({@link JnaLinuxCLibrary}) is behind it so tests and callers never see JNA types.
 * Calls return what libc returns (-1 on failure) and {@link #errno()} tells why.
 */
public interface LinuxCLibrary {
    int MFD_CLOEXEC = 0x0001;
    int MFD_ALLOW_SEALING = 0x0002;
    int F_ADD_SEALS = 1033;
    int F_SEAL_SEAL = 0x0001;
    int F_SEAL_SHRINK = 0x0002;
    int F_SEAL_GROW = 0x0004;
    int F_SEAL_WRITE = 0x0008;
    int O_RDONLY = 0;
    int O_NONBLOCK = 04000;
    int O_CLOEXEC = 02000000;
    int EAGAIN = 11;
    int EINTR = 4;
    short POLLIN = 0x001;
    short POLLHUP = 0x010;

    int memfd_create(String name, int flags);

    int pipe2(int[] fds, int flags);

    /** poll on one descriptor; returns what poll returns, {@code revents[0]} gets the events. */
    int pollOne(int fd, short events, int timeoutMillis, short[] revents);

    long write(int fd, byte[] buf, long count);

    long read(int fd, byte[] buf, long count);

    int open(String path, int flags);

    int fcntl(int fd, int cmd, int arg);

    int close(int fd);

    int kill(int pid, int sig);

    int getpid();

    /** errno of the last failed call on this thread. */
    int errno();

    /** strerror of an errno value. */
    String strerror(int errno);

    static LinuxCLibrary instance() {
        return JnaLinuxCLibrary.INSTANCE;
    }
}
