package dev.syscage.nativeaccess;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link SeccompListener} through the direct-mapped {@link SeccompNotify} calls, with native
 * buffers allocated once per handle and filled through {@link ByteBuffer} views of them, which
 * costs no JNI call per field.
 */
final class JnaSeccompListener implements SeccompListener {
    private final int fd;
    private final short[] sizes;
    private final Memory notif;
    private final ByteBuffer notifView;
    private final Memory resp;
    private final ByteBuffer respView;
    private final Memory id = new Memory(8);
    private final ByteBuffer idView = view(id);
    private final Memory addfd = new Memory(ADDFD_SIZE);
    private final ByteBuffer addfdView = view(addfd);
    private final Memory pollFd = new Memory(8);
    private final ByteBuffer pollView = view(pollFd);

    /** @param sizes struct seccomp_notif, seccomp_notif_resp and seccomp_data sizes, as the kernel says */
    JnaSeccompListener(int fd, short[] sizes) {
        this.fd = fd;
        this.sizes = sizes;
        this.notif = new Memory(Math.max(sizes[0] & 0xffff, NOTIF_SIZE));
        this.notifView = view(notif);
        this.resp = new Memory(Math.max(sizes[1] & 0xffff, RESP_SIZE));
        this.respView = view(resp);
    }

    /** seccomp(SECCOMP_GET_NOTIF_SIZES): a newer kernel may have grown the structures. */
    static short[] sizes() {
        Memory m = new Memory(6);
        m.clear();
        try {
            syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, Pointer.nativeValue(m));
        } catch (LastErrorException e) {
            throw new IllegalStateException(
                    "seccomp(SECCOMP_GET_NOTIF_SIZES): errno " + e.getErrorCode()
                            + " (notify mode needs Linux 5.0 or later)",
                    e);
        }
        return new short[] {m.getShort(0), m.getShort(2), m.getShort(4)};
    }

    private static ByteBuffer view(Memory m) {
        return m.getByteBuffer(0, m.size()).order(ByteOrder.nativeOrder());
    }

    @Override
    public ByteBuffer notification() {
        return notifView;
    }

    @Override
    public int setFlags(long flags) {
        return ioctl(SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags);
    }

    @Override
    public int recv() {
        zero(notifView);
        return ioctl(SECCOMP_IOCTL_NOTIF_RECV, Pointer.nativeValue(notif));
    }

    @Override
    public int send(long callId, int error, int flags) {
        zero(respView);
        respView.putLong(RESP_ID, callId);
        respView.putInt(RESP_ERROR, error);
        respView.putInt(RESP_FLAGS, flags);
        return ioctl(SECCOMP_IOCTL_NOTIF_SEND, Pointer.nativeValue(resp));
    }

    @Override
    public int idValid(long callId) {
        idView.putLong(0, callId);
        return ioctl(SECCOMP_IOCTL_NOTIF_ID_VALID, Pointer.nativeValue(id));
    }

    @Override
    public int addFd(long callId, int srcFd, int newFdFlags, int flags) {
        addfdView.putLong(ADDFD_ID, callId);
        addfdView.putInt(ADDFD_FLAGS, flags);
        addfdView.putInt(ADDFD_SRCFD, srcFd);
        addfdView.putInt(ADDFD_NEWFD, 0);
        addfdView.putInt(ADDFD_NEWFD_FLAGS, newFdFlags);
        return ioctl(SECCOMP_IOCTL_NOTIF_ADDFD, Pointer.nativeValue(addfd));
    }

    @Override
    public int poll(short events, int timeoutMs) {
        pollView.putInt(0, fd);
        pollView.putShort(4, events);
        pollView.putShort(6, (short) 0);
        try {
            return SeccompNotify.poll(Pointer.nativeValue(pollFd), 1, timeoutMs) > 0 ? pollView.getShort(6) : 0;
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int next(NotifyFastPath fastPath, NotifyFastPath.Table table, int maxFast) {
        return fastPath.next(fd, Pointer.nativeValue(notif), notif.size(), table.address(), maxFast);
    }

    @Override
    public SeccompListener forThread() {
        return new JnaSeccompListener(fd, sizes);
    }

    private int ioctl(long request, long arg) {
        try {
            return SeccompNotify.ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    /** Zeroes a buffer through its view: no JNI call, unlike {@link Memory#clear()}. */
    private static void zero(ByteBuffer view) {
        int n = view.capacity();
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            view.putLong(i, 0L);
        }
        for (; i < n; i++) {
            view.put(i, (byte) 0);
        }
    }
}
