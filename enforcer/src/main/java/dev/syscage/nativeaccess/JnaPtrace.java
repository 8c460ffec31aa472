package dev.syscage.nativeaccess;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link Ptrace} direct-mapped with JNA (the fast path: no reflection per call), with the
 * syscall-info buffer allocated once.
 */
final class JnaPtrace implements Ptrace {
    /** The raw calls, named and typed as in libc; they throw {@link LastErrorException} on failure. */
    static final class Libc {
        static {
            Native.register(Libc.class, NativeLibrary.getInstance("c"));
        }

        private Libc() {}

        static native long ptrace(int request, int pid, long addr, long data) throws LastErrorException;

        static native int waitpid(int pid, int[] status, int options) throws LastErrorException;

        static native long process_vm_readv(
                int pid, long localIov, long liovcnt, long remoteIov, long riovcnt, long flags)
                throws LastErrorException;

        static native int kill(int pid, int sig) throws LastErrorException;

        static native int gettid();
    }

    private final Memory info = new Memory(SYSCALL_INFO_SIZE);
    private final ByteBuffer infoView = info.getByteBuffer(0, SYSCALL_INFO_SIZE).order(ByteOrder.nativeOrder());

    @Override
    public long ptrace(int request, int pid, long addr, long data) {
        try {
            return Libc.ptrace(request, pid, addr, data);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public long getSyscallInfo(int tid) {
        return ptrace(PTRACE_GET_SYSCALL_INFO, tid, SYSCALL_INFO_SIZE, Pointer.nativeValue(info));
    }

    @Override
    public ByteBuffer syscallInfo() {
        return infoView;
    }

    @Override
    public int waitpid(int pid, int[] status, int options) {
        try {
            return Libc.waitpid(pid, status, options);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int kill(int pid, int sig) {
        try {
            return Libc.kill(pid, sig);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int gettid() {
        return Libc.gettid();
    }
}
