package dev.syscage.run;

import dev.syscage.nativeaccess.LinuxCLibrary;

/**
 * A compiled filter handed to the launcher without a file on disk: a sealed memfd (no more
 * writes, no resizing) that the launcher opens as {@code /proc/JVM_PID/fd/N}. Nothing is left
 * behind: the memory goes away with the last descriptor.
 */
public final class SealedFilter implements AutoCloseable {
    private final LinuxCLibrary libc;
    private final int fd;
    private final String path;

    private SealedFilter(LinuxCLibrary libc, int fd) {
        this.libc = libc;
        this.fd = fd;
        this.path = "/proc/" + libc.getpid() + "/fd/" + fd;
    }

    public static SealedFilter of(LinuxCLibrary libc, byte[] program) {
        return of(libc, "syscage-filter", program);
    }

    /** The same for any bytes the launcher reads by path (the Landlock ruleset); {@code name} shows in /proc. */
    public static SealedFilter of(LinuxCLibrary libc, String name, byte[] program) {
        int fd = libc.memfd_create(name, LinuxCLibrary.MFD_CLOEXEC | LinuxCLibrary.MFD_ALLOW_SEALING);
        if (fd < 0) {
            throw failure(libc, "memfd_create");
        }
        SealedFilter f = new SealedFilter(libc, fd);
        try {
            long off = 0;
            while (off < program.length) {
                byte[] chunk = off == 0 ? program : java.util.Arrays.copyOfRange(program, (int) off, program.length);
                long n = libc.write(fd, chunk, chunk.length);
                if (n < 0) {
                    throw failure(libc, "write(memfd)");
                }
                off += n;
            }
            int seals = LinuxCLibrary.F_SEAL_WRITE
                    | LinuxCLibrary.F_SEAL_SHRINK
                    | LinuxCLibrary.F_SEAL_GROW
                    | LinuxCLibrary.F_SEAL_SEAL;
            if (libc.fcntl(fd, LinuxCLibrary.F_ADD_SEALS, seals) < 0) {
                throw failure(libc, "fcntl(F_ADD_SEALS)");
            }
            return f;
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    private static IllegalStateException failure(LinuxCLibrary libc, String call) {
        int e = libc.errno();
        return new IllegalStateException(call + ": " + libc.strerror(e) + " (errno " + e + ")");
    }

    /** What the launcher opens. */
    public String path() {
        return path;
    }

    @Override
    public void close() {
        libc.close(fd);
    }
}
