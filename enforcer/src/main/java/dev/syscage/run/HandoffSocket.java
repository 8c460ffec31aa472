package dev.syscage.run;

import dev.syscage.nativeaccess.LinuxCLibrary;
import dev.syscage.nativeaccess.ScmRights;
import dev.syscage.nativeaccess.UnixSockets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The JVM's end of the SCM_RIGHTS listener handoff: a listening AF_UNIX socket in a fresh
 * directory only the JVM's user can enter (0700). The launched process connects to it before
 * it installs its filter; the JVM accepts only that process (its {@code SO_PEERCRED} pid), and
 * takes the one fd it sends only if it is a seccomp listener. ProcessBuilder passes no fds, and
 * a socket cannot be opened through {@code /proc/PID/fd/N}, hence a path. Closing removes the
 * socket file and the directory.
 */
final class HandoffSocket implements AutoCloseable {
    static final String LISTENER_LINK = "anon_inode:seccomp notify";
    private static final int MAX_FDS = 8;

    private final LinuxCLibrary libc;
    private final Path dir;
    private final Path path;
    private int listening;
    private int connection = -1;
    private final List<Integer> refused = new ArrayList<>();

    private HandoffSocket(LinuxCLibrary libc, Path dir, Path path, int listening) {
        this.libc = libc;
        this.dir = dir;
        this.path = path;
        this.listening = listening;
    }

    /** A new listening socket; tries java.io.tmpdir, then /tmp (a socket path has at most 107 bytes). */
    static HandoffSocket open(LinuxCLibrary libc) throws IOException {
        for (String base : List.of(System.getProperty("java.io.tmpdir", "/tmp"), "/tmp")) {
            Path dir = Files.createTempDirectory(
                    Path.of(base),
                    "syscage-handoff-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path path = dir.resolve("s");
            byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
            if (name.length < UnixSockets.SUN_PATH_SIZE) {
                return new HandoffSocket(libc, dir, path, listen(address(name)));
            }
            Files.delete(dir);
        }
        throw new IOException("no directory for the listener handoff socket has a path short enough " + "(at most "
                + (UnixSockets.SUN_PATH_SIZE - 1) + " bytes); set java.io.tmpdir to a shorter one");
    }

    /** struct sockaddr_un for a path. */
    static byte[] address(byte[] name) {
        byte[] addr = new byte[UnixSockets.SUN_PATH_OFFSET + name.length + 1];
        addr[0] = (byte) UnixSockets.AF_UNIX;
        System.arraycopy(name, 0, addr, UnixSockets.SUN_PATH_OFFSET, name.length);
        return addr;
    }

    private static int listen(byte[] addr) throws IOException {
        int fd = ScmRights.listen(addr, 4);
        if (fd < 0) {
            throw new IOException("bind/listen on the listener handoff socket: errno " + -fd);
        }
        return fd;
    }

    /** The socket's path, for the launcher's {@code --notify-socket}. */
    Path path() {
        return path;
    }

    /** The pids of the peers that were refused, in order. */
    List<Integer> refused() {
        return List.copyOf(refused);
    }

    /**
     * Accepts the connection of process {@code pid}, closing any other peer's. False when
     * {@code alive} turns false first (the launcher failed and says why); an IOException after
     * {@code timeoutMs}.
     */
    boolean acceptFrom(int pid, BooleanSupplier alive, long timeoutMs) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            if (!waitReadable(listening, alive, deadline)) {
                return false;
            }
            int fd = ScmRights.accept(listening);
            if (fd == -UnixSockets.EAGAIN || fd == -UnixSockets.EINTR) {
                continue;
            }
            if (fd < 0) {
                throw new IOException("accept4 on the listener handoff socket: errno " + -fd);
            }
            int peer = peerPid(fd);
            if (peer == pid) {
                connection = fd;
                return true;
            }
            refused.add(peer);
            closeQuietly(fd);
        }
        throw new IOException("the program's process " + pid + " did not connect to the listener handoff socket within "
                + timeoutMs + " ms" + (refused.isEmpty() ? "" : "; refused other peers: pids " + refused));
    }

    private static int peerPid(int fd) throws IOException {
        int pid = ScmRights.peerPid(fd);
        if (pid < 0) {
            closeQuietly(fd);
            throw new IOException("getsockopt(SO_PEERCRED): errno " + -pid);
        }
        return pid;
    }

    /**
     * The seccomp listener the accepted process sends; -1 when it closed the connection
     * without sending one (it died and the launcher says why). Refuses anything but exactly one
     * fd that is a seccomp listener.
     */
    int receiveListener(BooleanSupplier alive, long timeoutMs) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            if (!waitReadable(connection, alive, deadline)) {
                return -1;
            }
            List<Integer> fds = new ArrayList<>();
            long n = receive(fds);
            if (n < 0) {
                continue; // EINTR or EAGAIN
            }
            if (n == 0 && fds.isEmpty()) {
                return -1;
            }
            return checkListener(fds);
        }
        throw new IOException("the program's process did not send its seccomp listener within " + timeoutMs + " ms");
    }

    private static int checkListener(List<Integer> fds) throws IOException {
        if (fds.size() != 1) {
            fds.forEach(HandoffSocket::closeQuietly);
            throw new IOException("the program's process sent " + fds.size() + " fds instead of its seccomp listener");
        }
        int fd = fds.get(0);
        String link = linkOf(fd);
        if (!LISTENER_LINK.equals(link)) {
            closeQuietly(fd);
            throw new IOException("the fd the program's process sent is not a seccomp listener (it is " + link + ")");
        }
        return fd;
    }

    /** One recvmsg: the byte count (-1 on EINTR/EAGAIN), the fds received added to {@code fds}. */
    private long receive(List<Integer> fds) throws IOException {
        long n = ScmRights.receiveFds(
                connection, MAX_FDS, fds); // a -1 fd: more than MAX_FDS, refused as "not exactly one"
        if (n == -UnixSockets.EINTR || n == -UnixSockets.EAGAIN) {
            return -1;
        }
        if (n < 0) {
            throw new IOException("recvmsg on the listener handoff socket: errno " + -n);
        }
        return n;
    }

    /**
     * Polls {@code fd} for input in 100 ms steps until the deadline; false once {@code alive}
     * says the launcher is gone.
     */
    private boolean waitReadable(int fd, BooleanSupplier alive, long deadline) {
        short[] revents = new short[1];
        while (System.nanoTime() < deadline) {
            int r = libc.pollOne(fd, LinuxCLibrary.POLLIN, 100, revents);
            if (r > 0 && revents[0] != 0) {
                return true;
            }
            if (!alive.getAsBoolean()) {
                return false;
            }
        }
        return true; // the caller finds nothing to read and sees the deadline has passed
    }

    static String linkOf(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    private static void closeQuietly(int fd) {
        if (fd >= 0) {
            ScmRights.close(fd); // nothing to do when it fails
        }
    }

    /**
     * Removes the socket file and its directory; idempotent. Connections already made can still
     * be accepted, no new one can be made: called as soon as the launched process has connected,
     * so that little is left behind when the JVM is killed.
     */
    void unlink() {
        try {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a leftover empty directory in the temp dir; nothing else to do
        }
    }

    /** Closes both sockets and removes the socket file and its directory; idempotent. */
    @Override
    public void close() {
        closeQuietly(connection);
        connection = -1;
        closeQuietly(listening);
        listening = -1;
        unlink();
    }
}
