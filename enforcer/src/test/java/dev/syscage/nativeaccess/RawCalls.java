package dev.syscage.nativeaccess;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;

/**
 * The file and socket calls Landlock judges, made raw for tests on threads in a domain: the
 * result or {@code -errno}, nothing from java.io (whose first use may read files the domain
 * forbids). Call {@link #load()} before a thread is restricted: a domain may forbid reading the
 * class path, and this class must not be loaded from inside one.
 */
public final class RawCalls {
    public static final long O_RDONLY = 0;
    public static final long O_WRONLY = 01;
    public static final long O_RDWR = 02;
    public static final long O_CREAT = 0100;
    public static final long O_EXCL = 0200;
    public static final long O_CLOEXEC = 02000000;
    public static final int EACCES = 13;
    private static final long SYS_socket = 41;
    private static final long SYS_bind = 49;
    private static final int AF_INET = 2;
    private static final int SOCK_STREAM = 1;

    private RawCalls() {}

    /** Loads, links and initializes this class and what its calls throw; call it before restricting a thread. */
    public static void load() {
        close(-1);
        new LastErrorException(0).getErrorCode();
    }

    /** openat(AT_FDCWD, path, flags, 0644), the fd closed again: 0, or -errno. */
    public static int open(String path, long flags) {
        Memory p = cstring(path);
        int fd =
                call(SeccompNotify.SYS_openat, SeccompNotify.AT_FDCWD, Pointer.nativeValue(p), flags | O_CLOEXEC, 0644);
        Reference.reachabilityFence(p);
        if (fd >= 0) {
            close(fd);
            return 0;
        }
        return fd;
    }

    /** mkdirat(AT_FDCWD, path, 0755): 0 or -errno. */
    public static int mkdir(String path) {
        Memory p = cstring(path);
        int r = call(SeccompNotify.SYS_mkdirat, SeccompNotify.AT_FDCWD, Pointer.nativeValue(p), 0755, 0);
        Reference.reachabilityFence(p);
        return r;
    }

    /** bind of a new TCP socket to 127.0.0.1:port: 0 or -errno. */
    public static int bindTcp(int port) {
        int fd = call(SYS_socket, AF_INET, SOCK_STREAM | (int) O_CLOEXEC, 0, 0);
        if (fd < 0) {
            return fd;
        }
        try {
            Memory sa = new Memory(16);
            sa.clear();
            sa.setShort(0, (short) AF_INET);
            sa.setByte(2, (byte) (port >> 8)); // network byte order
            sa.setByte(3, (byte) port);
            sa.setByte(4, (byte) 127);
            sa.setByte(7, (byte) 1);
            int r = call(SYS_bind, fd, Pointer.nativeValue(sa), 16, 0);
            Reference.reachabilityFence(sa);
            return r;
        } finally {
            close(fd);
        }
    }

    public static void close(int fd) {
        try {
            SeccompNotify.close(fd);
        } catch (LastErrorException e) {
            // a test's fd, or -1 for load()
        }
    }

    private static int call(long nr, long a1, long a2, long a3, long a4) {
        try {
            return (int) SeccompNotify.syscall(nr, a1, a2, a3, a4);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    private static Memory cstring(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        Memory m = new Memory(b.length + 1L);
        m.write(0, b, 0, b.length);
        m.setByte(b.length, (byte) 0);
        return m;
    }
}
