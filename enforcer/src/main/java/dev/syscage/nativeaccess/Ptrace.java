package dev.syscage.nativeaccess;

import java.nio.ByteBuffer;

/**
 * The calls of the trace supervisor, named and typed as in libc, with the kernel's constants:
 * ptrace, waitpid, kill, gettid. Calls return what libc returns on success and -errno on
 * failure, never throw, and allocate nothing. A handle belongs to the thread that traces
 * (ptrace is per thread). {@link #create} gives the kernel's ({@link JnaPtrace}); tests use fakes.
 */
public interface Ptrace {
    int PTRACE_CONT = 7;
    int PTRACE_POKEUSER = 6;
    int PTRACE_GETEVENTMSG = 0x4201;
    int PTRACE_SEIZE = 0x4206;
    int PTRACE_INTERRUPT = 0x4207;
    int PTRACE_LISTEN = 0x4208;
    int PTRACE_GET_SYSCALL_INFO = 0x420e;

    int PTRACE_O_TRACEFORK = 0x02;
    int PTRACE_O_TRACEVFORK = 0x04;
    int PTRACE_O_TRACECLONE = 0x08;
    int PTRACE_O_TRACEEXEC = 0x10;
    int PTRACE_O_TRACESECCOMP = 0x80;
    int PTRACE_O_EXITKILL = 0x100000;

    int PTRACE_EVENT_FORK = 1;
    int PTRACE_EVENT_VFORK = 2;
    int PTRACE_EVENT_CLONE = 3;
    int PTRACE_EVENT_EXEC = 4;
    int PTRACE_EVENT_SECCOMP = 7;
    int PTRACE_EVENT_STOP = 128;

    int PTRACE_SYSCALL_INFO_SECCOMP = 3;
    /** sizeof(struct ptrace_syscall_info) as far as the seccomp member reaches. */
    int SYSCALL_INFO_SIZE = 84;

    /** Offsets in struct user_regs_struct (x86_64), for PTRACE_POKEUSER. */
    int X86_64_RAX = 10 * 8;

    int X86_64_ORIG_RAX = 15 * 8;

    int WNOHANG = 1;
    int __WNOTHREAD = 0x20000000;
    int __WALL = 0x40000000;

    int SIGKILL = 9;
    int SIGTRAP = 5;
    int SIGSTOP = 19;
    int SIGTSTP = 20;
    int SIGTTIN = 21;
    int SIGTTOU = 22;

    int ESRCH = 3;
    int ECHILD = 10;
    int EINTR = 4;

    /** ptrace(request, pid, addr, data) for requests whose addr and data are values: the result, or -errno. */
    long ptrace(int request, int pid, long addr, long data);

    /**
     * ptrace(PTRACE_GET_SYSCALL_INFO, tid, ...) into {@link #syscallInfo}: the size the kernel
     * wrote, or -errno.
     */
    long getSyscallInfo(int tid);

    /** struct ptrace_syscall_info as the last {@link #getSyscallInfo} left it, native byte order. */
    ByteBuffer syscallInfo();

    /** waitpid(pid, &status, options): the thread id, or -errno; {@code status[0]} gets the status. */
    int waitpid(int pid, int[] status, int options);

    /** kill(pid, sig): 0 or -errno. */
    int kill(int pid, int sig);

    /** gettid(): the calling thread's id. */
    int gettid();

    /** The kernel's ptrace, for the calling thread. */
    static Ptrace create() {
        return new JnaPtrace();
    }
}
