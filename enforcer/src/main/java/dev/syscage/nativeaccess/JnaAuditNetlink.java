package dev.syscage.nativeaccess;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@link AuditNetlink} through JNA direct to libc. Struct layouts as in the kernel headers:
 * {@code struct nlmsghdr} (u32 len, u16 type, u16 flags, u32 seq, u32 pid; 16 bytes),
 * {@code struct sockaddr_nl} (u16 family, u16 pad, u32 pid, u32 groups; 12 bytes),
 * {@code struct audit_status} (u32 mask, enabled, failure, pid, rate_limit, backlog_limit, lost,
 * backlog, ...: the kernel takes a shorter one).
 */
final class JnaAuditNetlink implements AuditNetlink {
    static final JnaAuditNetlink INSTANCE = new JnaAuditNetlink();

    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int NLM_F_REQUEST = 1;
    private static final int NLM_F_ACK = 4;
    private static final int NLMSG_HDRLEN = 16;
    private static final int SOCKADDR_NL_SIZE = 12;
    private static final int AUDIT_STATUS_SIZE = 40; // through backlog_wait_time: what every kernel since 3.14 takes
    private static final int POLLIN = 1;
    private static final int EINTR = 4;
    private static final int ENOBUFS = 105;
    private static final int BUFFER = 1 << 16; // one record is at most MAX_AUDIT_MESSAGE_LENGTH (8970) bytes

    private static native int socket(int domain, int type, int protocol) throws LastErrorException;

    private static native int bind(int fd, Pointer addr, int len) throws LastErrorException;

    private static native long sendto(int fd, Pointer buf, long len, int flags, Pointer addr, int addrLen)
            throws LastErrorException;

    private static native long recv(int fd, Pointer buf, long len, int flags) throws LastErrorException;

    private static native int poll(Pointer fds, long nfds, int timeout) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    private JnaAuditNetlink() {}

    @Override
    public int enabled() throws IOException {
        int fd = open("AUDIT_GET");
        try {
            send(fd, AUDIT_GET, NLM_F_REQUEST, null);
            Memory buf = new Memory(BUFFER);
            while (true) {
                int n = receive(fd, buf, "AUDIT_GET");
                for (int off = 0; off + NLMSG_HDRLEN <= n; ) {
                    int len = buf.getInt(off);
                    int type = buf.getShort(off + 4) & 0xffff;
                    if (type == NLMSG_ERROR && buf.getInt(off + NLMSG_HDRLEN) != 0) {
                        throw errno("AUDIT_GET", -buf.getInt(off + NLMSG_HDRLEN));
                    }
                    if (type == AUDIT_GET) {
                        return buf.getInt(off + NLMSG_HDRLEN + 4); // audit_status.enabled
                    }
                    off += Math.max(NLMSG_HDRLEN, (len + 3) & ~3);
                }
            }
        } finally {
            close(fd);
        }
    }

    @Override
    public void setEnabled(int enabled) throws IOException {
        int fd = open("AUDIT_SET");
        try {
            Memory status = new Memory(AUDIT_STATUS_SIZE);
            status.clear();
            status.setInt(0, AUDIT_STATUS_ENABLED);
            status.setInt(4, enabled);
            send(fd, AUDIT_SET, NLM_F_REQUEST | NLM_F_ACK, status);
            Memory buf = new Memory(BUFFER);
            while (true) {
                int n = receive(fd, buf, "AUDIT_SET");
                if (n >= NLMSG_HDRLEN + 4 && (buf.getShort(4) & 0xffff) == NLMSG_ERROR) {
                    int error = buf.getInt(NLMSG_HDRLEN);
                    if (error != 0) {
                        throw errno("AUDIT_SET enabled=" + enabled, -error);
                    }
                    return;
                }
            }
        } finally {
            close(fd);
        }
    }

    @Override
    public Records readLog() throws IOException {
        int fd = open("the audit log reader");
        Memory addr = new Memory(SOCKADDR_NL_SIZE);
        addr.clear();
        addr.setShort(0, (short) AF_NETLINK);
        addr.setInt(8, 1 << (AUDIT_NLGRP_READLOG - 1));
        try {
            bind(fd, addr, SOCKADDR_NL_SIZE);
        } catch (LastErrorException e) {
            close(fd);
            throw errno("bind(NETLINK_AUDIT, AUDIT_NLGRP_READLOG)", e.getErrorCode());
        }
        return new Multicast(fd);
    }

    /** A bound multicast socket; records may come several to a datagram, each in its own nlmsghdr. */
    private static final class Multicast implements Records {
        private final int fd;
        private final Memory buf = new Memory(BUFFER);
        private final Memory pfd = new Memory(8);
        private int filled;
        private int offset;
        private boolean closed;

        Multicast(int fd) {
            this.fd = fd;
        }

        @Override
        public synchronized Record next(int timeoutMillis) throws IOException {
            if (closed) {
                throw new IOException("the audit log reader is closed");
            }
            while (true) {
                if (offset + NLMSG_HDRLEN <= filled) {
                    int len = buf.getInt(offset);
                    int type = buf.getShort(offset + 4) & 0xffff;
                    int end = Math.min(filled, offset + Math.max(len, NLMSG_HDRLEN));
                    String text = new String(
                            buf.getByteArray(offset + NLMSG_HDRLEN, end - offset - NLMSG_HDRLEN),
                            StandardCharsets.UTF_8);
                    offset += Math.max(NLMSG_HDRLEN, (len + 3) & ~3);
                    int nul = text.indexOf('\0');
                    return new Record(type, nul < 0 ? text : text.substring(0, nul));
                }
                pfd.setInt(0, fd);
                pfd.setShort(4, (short) POLLIN);
                pfd.setShort(6, (short) 0);
                try {
                    if (poll(pfd, 1, timeoutMillis) == 0) {
                        return null;
                    }
                    filled = (int) recv(fd, buf, BUFFER, 0);
                    offset = 0;
                } catch (LastErrorException e) {
                    filled = 0;
                    offset = 0;
                    if (e.getErrorCode() == EINTR) {
                        continue;
                    }
                    if (e.getErrorCode() == ENOBUFS) {
                        throw new Overrun();
                    }
                    throw errno("recv(NETLINK_AUDIT)", e.getErrorCode());
                }
            }
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                JnaAuditNetlink.close(fd);
            }
        }
    }

    private static int open(String forWhat) throws IOException {
        try {
            return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
        } catch (LastErrorException e) {
            throw errno("socket(AF_NETLINK, NETLINK_AUDIT) for " + forWhat, e.getErrorCode());
        }
    }

    private static void send(int fd, int type, int flags, Memory body) throws IOException {
        int bodyLen = body == null ? 0 : (int) body.size();
        Memory msg = new Memory(NLMSG_HDRLEN + bodyLen);
        msg.clear();
        msg.setInt(0, NLMSG_HDRLEN + bodyLen);
        msg.setShort(4, (short) type);
        msg.setShort(6, (short) flags);
        msg.setInt(8, 1);
        if (body != null) {
            msg.write(NLMSG_HDRLEN, body.getByteArray(0, bodyLen), 0, bodyLen);
        }
        Memory kernel = new Memory(SOCKADDR_NL_SIZE);
        kernel.clear();
        kernel.setShort(0, (short) AF_NETLINK);
        try {
            sendto(fd, msg, msg.size(), 0, kernel, SOCKADDR_NL_SIZE);
        } catch (LastErrorException e) {
            throw errno("sendto(NETLINK_AUDIT, type " + type + ")", e.getErrorCode());
        }
    }

    private static int receive(int fd, Memory buf, String call) throws IOException {
        while (true) {
            try {
                return (int) recv(fd, buf, buf.size(), 0);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw errno("recv(NETLINK_AUDIT) for " + call, e.getErrorCode());
                }
            }
        }
    }

    private static IOException errno(String call, int errno) {
        String hint = switch (errno) {
            case 1 -> " (needs CAP_AUDIT_CONTROL to set, CAP_AUDIT_READ to read the log: run as root)";
            case 111 -> " (the kernel audit answers only in the initial network namespace)";
            case 93 -> " (this kernel has no audit: CONFIG_AUDIT is off)";
            default -> "";
        };
        return new IOException(
                call + ": errno " + errno + " (" + LinuxCLibrary.instance().strerror(errno) + ")" + hint);
    }
}
