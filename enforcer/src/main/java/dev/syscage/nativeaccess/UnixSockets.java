package dev.syscage.nativeaccess;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The AF_UNIX socket calls of the SCM_RIGHTS listener handoff (notify mode, when
 * {@code pidfd_getfd} is refused or missing): the JVM listens on a socket, the launched process
 * connects and sends its seccomp listener with {@code sendmsg}. Direct-mapped with JNA like
 * {@link SeccompNotify}; named and typed as in libc, constants and struct offsets as in the
 * kernel headers (x86_64 / LP64). Pointers to structs are native addresses ({@code long}).
 * Methods throw {@link LastErrorException} (with errno) on failure.
 */
public final class UnixSockets {
    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private UnixSockets() {}

    public static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_NONBLOCK = 04000;
    public static final int SOCK_CLOEXEC = 02000000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_PEERCRED = 17;
    public static final int SCM_RIGHTS = 1;
    public static final int MSG_CTRUNC = 0x8;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;
    public static final int EAGAIN = 11;
    public static final int EINTR = 4;

    /** struct sockaddr_un: sa_family_t sun_family; char sun_path[108]. */
    public static final int SUN_PATH_OFFSET = 2;

    public static final int SUN_PATH_SIZE = 108;

    /** struct ucred: pid_t pid; uid_t uid; gid_t gid. */
    public static final int UCRED_PID = 0;

    public static final int UCRED_SIZE = 12;

    /** struct iovec: void *iov_base; size_t iov_len. */
    public static final int IOVEC_SIZE = 16;

    /**
     * struct msghdr: void *msg_name; socklen_t msg_namelen; struct iovec *msg_iov; size_t
     * msg_iovlen; void *msg_control; size_t msg_controllen; int msg_flags.
     */
    public static final int MSG_IOV = 16;

    public static final int MSG_IOVLEN = 24;
    public static final int MSG_CONTROL = 32;
    public static final int MSG_CONTROLLEN = 40;
    public static final int MSG_FLAGS = 48;
    public static final int MSGHDR_SIZE = 56;

    /** struct cmsghdr: size_t cmsg_len; int cmsg_level; int cmsg_type; data (8-aligned). */
    public static final int CMSG_LEVEL = 8;

    public static final int CMSG_TYPE = 12;
    public static final int CMSG_DATA = 16;

    /** CMSG_ALIGN: control messages are aligned to size_t. */
    public static long cmsgAlign(long len) {
        return (len + 7) & ~7L;
    }

    public static native int socket(int domain, int type, int protocol) throws LastErrorException;

    public static native int bind(int fd, byte[] addr, int addrlen) throws LastErrorException;

    public static native int connect(int fd, byte[] addr, int addrlen) throws LastErrorException;

    public static native int listen(int fd, int backlog) throws LastErrorException;

    /** accept4(fd, NULL, NULL, flags) when {@code addr} and {@code addrlen} are 0. */
    public static native int accept4(int fd, long addr, long addrlen, int flags) throws LastErrorException;

    public static native int getsockopt(int fd, int level, int name, byte[] value, int[] len) throws LastErrorException;

    public static native long recvmsg(int fd, long msg, int flags) throws LastErrorException;

    public static native long sendmsg(int fd, long msg, int flags) throws LastErrorException;

    public static native int close(int fd) throws LastErrorException;
}
