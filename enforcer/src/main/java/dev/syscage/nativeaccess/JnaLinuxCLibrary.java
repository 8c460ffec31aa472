package dev.syscage.nativeaccess;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** {@link LinuxCLibrary} through JNA direct to libc. */
final class JnaLinuxCLibrary implements LinuxCLibrary {
    static final JnaLinuxCLibrary INSTANCE = new JnaLinuxCLibrary();

    /** The raw binding: libc's own names and signatures. */
    interface Libc extends Library {
        int memfd_create(String name, int flags);

        int pipe2(int[] fds, int flags);

        int poll(Pointer fds, long nfds, int timeout);

        long write(int fd, byte[] buf, long count);

        long read(int fd, byte[] buf, long count);

        int open(String path, int flags);

        int fcntl(int fd, int cmd, int arg);

        int close(int fd);

        int kill(int pid, int sig);

        int getpid();

        String strerror(int errnum);
    }

    private final Libc libc = Native.load("c", Libc.class);

    private JnaLinuxCLibrary() {}

    @Override
    public int memfd_create(String name, int flags) {
        return libc.memfd_create(name, flags);
    }

    @Override
    public int pipe2(int[] fds, int flags) {
        return libc.pipe2(fds, flags);
    }

    @Override
    public int pollOne(int fd, short events, int timeoutMillis, short[] revents) {
        Memory pfd = new Memory(8);
        pfd.setInt(0, fd);
        pfd.setShort(4, events);
        pfd.setShort(6, (short) 0);
        int r = libc.poll(pfd, 1, timeoutMillis);
        revents[0] = pfd.getShort(6);
        return r;
    }

    @Override
    public long write(int fd, byte[] buf, long count) {
        return libc.write(fd, buf, count);
    }

    @Override
    public long read(int fd, byte[] buf, long count) {
        return libc.read(fd, buf, count);
    }

    @Override
    public int open(String path, int flags) {
        return libc.open(path, flags);
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) {
        return libc.fcntl(fd, cmd, arg);
    }

    @Override
    public int close(int fd) {
        return libc.close(fd);
    }

    @Override
    public int kill(int pid, int sig) {
        return libc.kill(pid, sig);
    }

    @Override
    public int getpid() {
        return libc.getpid();
    }

    @Override
    public int errno() {
        return Native.getLastError();
    }

    @Override
    public String strerror(int errno) {
        return libc.strerror(errno);
    }
}
