package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Answers on the listener: {@code SECCOMP_IOCTL_NOTIF_SEND} and {@code NOTIF_ID_VALID}, with
 * buffers allocated once (the response as big as the kernel says, {@code GET_NOTIF_SIZES}).
 * Both ioctls take the filter's lock interruptibly, so an EINTR is asked again: an answer must
 * not be lost to a signal. One per thread that answers.
 */
final class Replies {
    private final int listener;
    private final Memory resp;
    private final Memory idBuf = new Memory(8);
    // views of the same native memory: filling them costs no JNI call per field
    private final ByteBuffer respView;
    private final ByteBuffer idView;

    Replies(int listener, int respSize) {
        this.listener = listener;
        this.resp = new Memory(Math.max(respSize, RESP_SIZE));
        this.respView = resp.getByteBuffer(0, resp.size()).order(ByteOrder.nativeOrder());
        this.idView = idBuf.getByteBuffer(0, idBuf.size()).order(ByteOrder.nativeOrder());
    }

    /** SECCOMP_IOCTL_NOTIF_SEND; false when the call was interrupted or the caller died meanwhile. */
    boolean send(long id, int error, int flags) {
        zero(respView);
        respView.putLong(RESP_ID, id);
        respView.putInt(RESP_ERROR, error);
        respView.putInt(RESP_FLAGS, flags);
        return ask(SECCOMP_IOCTL_NOTIF_SEND, resp);
    }

    /** Whether notification {@code id} still waits for its answer. */
    boolean idValid(long id) {
        idView.putLong(0, id);
        return ask(SECCOMP_IOCTL_NOTIF_ID_VALID, idBuf);
    }

    /** The ioctl, again when interrupted; false on ENOENT. */
    private boolean ask(long request, Memory arg) {
        while (true) {
            try {
                ioctl(listener, request, Pointer.nativeValue(arg));
                return true;
            } catch (LastErrorException e) {
                if (e.getErrorCode() == ENOENT) {
                    return false;
                }
                if (e.getErrorCode() != EINTR) {
                    throw e;
                }
            }
        }
    }

    /** Zeroes a buffer through its view: no JNI call, unlike {@link Memory#clear()}. */
    static void zero(ByteBuffer view) {
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
