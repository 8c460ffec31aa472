package dev.syscage.nativeaccess;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** {@link ProcessVm} direct-mapped, with the buffer and both iovecs allocated once. */
final class JnaProcessVm implements ProcessVm {
    private final Memory buffer = new Memory(MAX);
    private final Memory localIov = new Memory(16);
    private final Memory remoteIov = new Memory(16);
    // views of the native memory above: filling them costs no JNI call per field
    private final ByteBuffer bufferView = buffer.getByteBuffer(0, MAX);
    private final ByteBuffer localView = localIov.getByteBuffer(0, 16).order(ByteOrder.nativeOrder());
    private final ByteBuffer remoteView = remoteIov.getByteBuffer(0, 16).order(ByteOrder.nativeOrder());

    JnaProcessVm() {
        localView.putLong(0, Pointer.nativeValue(buffer));
    }

    @Override
    public int process_vm_readv(int tid, long address, int length) {
        if (length < 0 || length > MAX) {
            throw new IllegalArgumentException("length " + length + " (at most " + MAX + ")");
        }
        localView.putLong(8, length);
        remoteView.putLong(0, address);
        remoteView.putLong(8, length);
        try {
            return (int) JnaPtrace.Libc.process_vm_readv(
                    tid, Pointer.nativeValue(localIov), 1, Pointer.nativeValue(remoteIov), 1, 0);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public ByteBuffer buffer() {
        return bufferView;
    }
}
