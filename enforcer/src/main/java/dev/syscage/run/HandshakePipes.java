package dev.syscage.run;

import dev.syscage.nativeaccess.LinuxCLibrary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The pipes of the launcher handshake (trace and notify mode): the launcher opens them as
 * /proc/JVM/fd/N; the program's process reports on one and waits for a byte on the other.
 */
final class HandshakePipes {
    /** How long the launcher may take to report. */
    static final int TIMEOUT_MS = 30_000;

    private HandshakePipes() {}

    /** A close-on-exec pipe: {@code [read end, write end]}. */
    static int[] pipe(LinuxCLibrary libc) {
        int[] fds = new int[2];
        if (libc.pipe2(fds, LinuxCLibrary.O_CLOEXEC) != 0) {
            throw new IllegalStateException("pipe2: " + libc.strerror(libc.errno()));
        }
        return fds;
    }

    /**
     * One line from the report pipe, or null when the launcher exited before writing it (it has
     * then said why on stderr).
     */
    static String readLine(LinuxCLibrary libc, int fd, Process launcher) throws IOException {
        StringBuilder sb = new StringBuilder();
        byte[] one = new byte[1];
        short[] revents = new short[1];
        long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
        while (System.nanoTime() < deadline) {
            int r = libc.pollOne(fd, LinuxCLibrary.POLLIN, 100, revents);
            if (r > 0 && (revents[0] & LinuxCLibrary.POLLIN) != 0) {
                if (libc.read(fd, one, 1) == 1) {
                    if (one[0] == '\n') {
                        return sb.toString();
                    }
                    sb.append(new String(one, StandardCharsets.US_ASCII));
                }
            } else if (!launcher.isAlive()) {
                return null;
            }
        }
        throw new IOException("the launcher did not report the program within " + TIMEOUT_MS + " ms");
    }

    /** A number the launcher reported on {@code fd} and that is already there; -1 if none. */
    static long readReported(LinuxCLibrary libc, int fd) {
        StringBuilder sb = new StringBuilder();
        byte[] one = new byte[1];
        short[] revents = new short[1];
        while (sb.length() < 20
                && libc.pollOne(fd, LinuxCLibrary.POLLIN, 0, revents) > 0
                && libc.read(fd, one, 1) == 1
                && one[0] != '\n') {
            sb.append((char) one[0]);
        }
        try {
            return Long.parseLong(sb.toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
