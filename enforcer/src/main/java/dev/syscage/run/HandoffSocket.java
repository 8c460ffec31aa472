package dev.syscage.run;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.syscage.nativeaccess.LinuxCLibrary;
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
            Path dir = Files.createTempDirectory(Path.of(base), "syscage-handoff-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path path = dir.resolve("s");
            byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
            if (name.length < UnixSockets.SUN_PATH_SIZE) {
                return new HandoffSocket(libc, dir, path, listen(address(name)));
            }
            Files.delete(dir);
        }
        throw new IOException("no directory for the listener handoff socket has a path short enough "
                + "(at most " + (UnixSockets.SUN_PATH_SIZE - 1) + " bytes); set java.io.tmpdir to a shorter one");
    }

    /** struct sockaddr_un for a path. */
    static byte[] address(byte[] name) {
        byte[] addr = new byte[UnixSockets.SUN_PATH_OFFSET + name.length + 1];
        addr[0] = (byte) UnixSockets.AF_UNIX;
        System.arraycopy(name, 0, addr, UnixSockets.SUN_PATH_OFFSET, name.length);
        return addr;
    }

    private static int listen(byte[] addr) throws IOException {
        int fd = UnixSockets.socket(UnixSockets.AF_UNIX,
                UnixSockets.SOCK_STREAM | UnixSockets.SOCK_CLOEXEC | UnixSockets.SOCK_NONBLOCK, 0);
        try {
            UnixSockets.bind(fd, addr, addr.length);
            UnixSockets.listen(fd, 4);
            return fd;
        } catch (LastErrorException e) {
            UnixSockets.close(fd);
            throw new IOException("bind/listen on the listener handoff socket: errno " + e.getErrorCode(), e);
        }
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
            int fd;
            try {
                fd = UnixSockets.accept4(listening, 0, 0, UnixSockets.SOCK_CLOEXEC | UnixSockets.SOCK_NONBLOCK);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == UnixSockets.EAGAIN || e.getErrorCode() == UnixSockets.EINTR) {
                    continue;
                }
                throw new IOException("accept4 on the listener handoff socket: errno " + e.getErrorCode(), e);
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
        byte[] cred = new byte[UnixSockets.UCRED_SIZE];
        int[] len = {cred.length};
        try {
            UnixSockets.getsockopt(fd, UnixSockets.SOL_SOCKET, UnixSockets.SO_PEERCRED, cred, len);
        } catch (LastErrorException e) {
            closeQuietly(fd);
            throw new IOException("getsockopt(SO_PEERCRED): errno " + e.getErrorCode(), e);
        }
        return (cred[0] & 0xff) | (cred[1] & 0xff) << 8 | (cred[2] & 0xff) << 16 | (cred[3] & 0xff) << 24;
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
        long controlLen = UnixSockets.cmsgAlign(UnixSockets.CMSG_DATA + 4L * MAX_FDS);
        Memory msg = new Memory(UnixSockets.MSGHDR_SIZE + UnixSockets.IOVEC_SIZE + 8 + controlLen);
        msg.clear();
        long base = Pointer.nativeValue(msg);
        long iov = base + UnixSockets.MSGHDR_SIZE;
        long data = iov + UnixSockets.IOVEC_SIZE;
        long control = data + 8;
        msg.setLong(UnixSockets.MSGHDR_SIZE, data);
        msg.setLong(UnixSockets.MSGHDR_SIZE + 8, 1);
        msg.setLong(UnixSockets.MSG_IOV, iov);
        msg.setLong(UnixSockets.MSG_IOVLEN, 1);
        msg.setLong(UnixSockets.MSG_CONTROL, control);
        msg.setLong(UnixSockets.MSG_CONTROLLEN, controlLen);
        long n;
        try {
            n = UnixSockets.recvmsg(connection, base, UnixSockets.MSG_CMSG_CLOEXEC);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == UnixSockets.EINTR || e.getErrorCode() == UnixSockets.EAGAIN) {
                return -1;
            }
            throw new IOException("recvmsg on the listener handoff socket: errno " + e.getErrorCode(), e);
        }
        collectFds(msg, control - base, msg.getLong(UnixSockets.MSG_CONTROLLEN), fds);
        if ((msg.getInt(UnixSockets.MSG_FLAGS) & UnixSockets.MSG_CTRUNC) != 0) {
            fds.add(-1); // more than MAX_FDS: refused as "not exactly one"
        }
        return n;
    }

    /** The fds of every SCM_RIGHTS message in the control buffer at {@code offset}, {@code len} bytes. */
    private static void collectFds(Memory msg, long offset, long len, List<Integer> fds) {
        long at = 0;
        while (at + UnixSockets.CMSG_DATA <= len) {
            long cmsgLen = msg.getLong(offset + at);
            if (cmsgLen < UnixSockets.CMSG_DATA || at + cmsgLen > len) {
                return;
            }
            if (msg.getInt(offset + at + UnixSockets.CMSG_LEVEL) == UnixSockets.SOL_SOCKET
                    && msg.getInt(offset + at + UnixSockets.CMSG_TYPE) == UnixSockets.SCM_RIGHTS) {
                for (long i = UnixSockets.CMSG_DATA; i + 4 <= cmsgLen; i += 4) {
                    fds.add(msg.getInt(offset + at + i));
                }
            }
            at += UnixSockets.cmsgAlign(cmsgLen);
        }
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
            try {
                UnixSockets.close(fd);
            } catch (LastErrorException e) {
                // nothing to do
            }
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
