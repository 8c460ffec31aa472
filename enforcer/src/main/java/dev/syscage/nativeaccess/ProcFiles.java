package dev.syscage.nativeaccess;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Small reads of /proc (and tgkill's existence check) on the notify supervisor's hot path, made with libc directly into
 * buffers allocated once: going through java.nio.file costs several microseconds per call in
 * objects and exceptions, which is as much as the kernel's work. Failures are values (false,
 * -1, empty), never exceptions. One instance per thread: the buffers are reused.
 */
public final class ProcFiles {
    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private static final int O_RDONLY_CLOEXEC = 02000000;
    private static final int PATH_MAX = 4096;

    private final Memory path = new Memory(PATH_MAX);
    private final byte[] pathBytes = new byte[PATH_MAX];
    private final Memory data;
    private final byte[] bytes;

    /** @param capacity the most bytes {@link #read} returns */
    public ProcFiles(int capacity) {
        this.data = new Memory(Math.max(capacity, PATH_MAX));
        this.bytes = new byte[(int) data.size()];
    }

    private static native int open(Pointer path, int flags);

    private static native long read(int fd, Pointer buf, long count);

    private static native int close(int fd);

    private static native long readlink(Pointer path, Pointer buf, long size);

    /**
     * tgkill(2): with {@code sig} 0 only checks that {@code tid} is a live thread of process
     * {@code tgid} (0), or not (-1), without going through /proc.
     */
    public static native int tgkill(int tgid, int tid, int sig);

    /**
     * The start of file {@code p} (at most the capacity), in a buffer reused by the next call:
     * the number of bytes in {@link #bytes()}, or -1 when it cannot be read.
     */
    public int read(String p) {
        int fd = open(path(p), O_RDONLY_CLOEXEC);
        if (fd < 0) {
            return -1;
        }
        try {
            long n = read(fd, data, data.size());
            if (n < 0) {
                return -1;
            }
            data.read(0, bytes, 0, (int) n);
            return (int) n;
        } finally {
            close(fd);
        }
    }

    /** The buffer {@link #read} filled. */
    public byte[] bytes() {
        return bytes;
    }

    /** What symbolic link {@code p} points to, or empty (not a link, gone, unreadable, too long). */
    public Optional<String> readlink(String p) {
        long n = readlink(path(p), data, data.size());
        if (n < 0 || n >= data.size()) {
            return Optional.empty();
        }
        data.read(0, bytes, 0, (int) n);
        return Optional.of(new String(bytes, 0, (int) n, StandardCharsets.UTF_8));
    }

    private Pointer path(String p) {
        int n = p.length();
        if (n >= PATH_MAX) {
            throw new IllegalArgumentException("path too long: " + n + " characters");
        }
        for (int i = 0; i < n; i++) {
            char c = p.charAt(i);
            if (c >= 0x80) {
                throw new IllegalArgumentException("not an ASCII path: " + p); // /proc paths are
            }
            pathBytes[i] = (byte) c;
        }
        pathBytes[n] = 0;
        path.write(0, pathBytes, 0, n + 1); // one copy: a JNA call per byte costs microseconds
        return path;
    }
}
