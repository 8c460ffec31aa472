package dev.syscage.nativeaccess;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The raw calls of the trace supervisor, direct-mapped with JNA (the fast path: no reflection
 * per call), named and typed as in libc. ptrace's addr and data are passed as raw addresses.
 * Constants keep the kernel's names. Methods throw {@link LastErrorException} (with errno) on
 * failure.
 */
public final class Ptrace {
    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private Ptrace() {
    }

    public static final int PTRACE_CONT = 7;
    public static final int PTRACE_POKEUSER = 6;
    public static final int PTRACE_GETEVENTMSG = 0x4201;
    public static final int PTRACE_SEIZE = 0x4206;
    public static final int PTRACE_INTERRUPT = 0x4207;
    public static final int PTRACE_LISTEN = 0x4208;
    public static final int PTRACE_GET_SYSCALL_INFO = 0x420e;

    public static final int PTRACE_O_TRACEFORK = 0x02;
    public static final int PTRACE_O_TRACEVFORK = 0x04;
    public static final int PTRACE_O_TRACECLONE = 0x08;
    public static final int PTRACE_O_TRACEEXEC = 0x10;
    public static final int PTRACE_O_TRACESECCOMP = 0x80;
    public static final int PTRACE_O_EXITKILL = 0x100000;

    public static final int PTRACE_EVENT_FORK = 1;
    public static final int PTRACE_EVENT_VFORK = 2;
    public static final int PTRACE_EVENT_CLONE = 3;
    public static final int PTRACE_EVENT_EXEC = 4;
    public static final int PTRACE_EVENT_SECCOMP = 7;
    public static final int PTRACE_EVENT_STOP = 128;

    public static final int PTRACE_SYSCALL_INFO_SECCOMP = 3;
    /** sizeof(struct ptrace_syscall_info) as far as the seccomp member reaches. */
    public static final int SYSCALL_INFO_SIZE = 84;

    /** Offsets in struct user_regs_struct (x86_64), for PTRACE_POKEUSER. */
    public static final int X86_64_RAX = 10 * 8;
    public static final int X86_64_ORIG_RAX = 15 * 8;

    public static final int WNOHANG = 1;
    public static final int __WNOTHREAD = 0x20000000;
    public static final int __WALL = 0x40000000;

    public static final int SIGKILL = 9;
    public static final int SIGTRAP = 5;
    public static final int SIGSTOP = 19;
    public static final int SIGTSTP = 20;
    public static final int SIGTTIN = 21;
    public static final int SIGTTOU = 22;

    public static final int ESRCH = 3;
    public static final int ECHILD = 10;
    public static final int EINTR = 4;

    public static native long ptrace(int request, int pid, long addr, long data) throws LastErrorException;

    public static native int waitpid(int pid, int[] status, int options) throws LastErrorException;

    public static native long process_vm_readv(int pid, long localIov, long liovcnt, long remoteIov, long riovcnt,
            long flags) throws LastErrorException;

    public static native int kill(int pid, int sig) throws LastErrorException;

    public static native int gettid();
}
