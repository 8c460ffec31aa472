package dev.syscage.nativeaccess;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.List;

/**
 * The socket calls of the JVM's end of the SCM_RIGHTS listener handoff, on top of the raw
 * {@link UnixSockets} binding: each returns a descriptor, a count or 0, or -errno, and never
 * throws; the msghdr and control buffer of {@code recvmsg} stay in here.
 */
public final class ScmRights {
    private ScmRights() {}

    /** socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK), bound to {@code addr} and listening: the fd. */
    public static int listen(byte[] addr, int backlog) {
        int fd;
        try {
            fd = UnixSockets.socket(
                    UnixSockets.AF_UNIX,
                    UnixSockets.SOCK_STREAM | UnixSockets.SOCK_CLOEXEC | UnixSockets.SOCK_NONBLOCK,
                    0);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
        try {
            UnixSockets.bind(fd, addr, addr.length);
            UnixSockets.listen(fd, backlog);
            return fd;
        } catch (LastErrorException e) {
            close(fd);
            return -e.getErrorCode();
        }
    }

    /** accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK). */
    public static int accept(int fd) {
        try {
            return UnixSockets.accept4(fd, 0, 0, UnixSockets.SOCK_CLOEXEC | UnixSockets.SOCK_NONBLOCK);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    /** getsockopt(SO_PEERCRED): the peer's pid, or -errno. */
    public static int peerPid(int fd) {
        byte[] cred = new byte[UnixSockets.UCRED_SIZE];
        int[] len = {cred.length};
        try {
            UnixSockets.getsockopt(fd, UnixSockets.SOL_SOCKET, UnixSockets.SO_PEERCRED, cred, len);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
        return (cred[0] & 0xff) | (cred[1] & 0xff) << 8 | (cred[2] & 0xff) << 16 | (cred[3] & 0xff) << 24;
    }

    /**
     * One recvmsg with {@code MSG_CMSG_CLOEXEC} and room for {@code maxFds} descriptors: the byte
     * count or -errno; the fds of every SCM_RIGHTS message are added to {@code fds}, and a -1
     * when the control data was cut short (more than {@code maxFds}).
     */
    public static long receiveFds(int fd, int maxFds, List<Integer> fds) {
        long controlLen = UnixSockets.cmsgAlign(UnixSockets.CMSG_DATA + 4L * maxFds);
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
            n = UnixSockets.recvmsg(fd, base, UnixSockets.MSG_CMSG_CLOEXEC);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
        collectFds(msg, control - base, msg.getLong(UnixSockets.MSG_CONTROLLEN), fds);
        if ((msg.getInt(UnixSockets.MSG_FLAGS) & UnixSockets.MSG_CTRUNC) != 0) {
            fds.add(-1);
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

    /** close(fd): 0 or -errno. */
    public static int close(int fd) {
        try {
            return UnixSockets.close(fd);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }
}
