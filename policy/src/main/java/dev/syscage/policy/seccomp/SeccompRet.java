package dev.syscage.policy.seccomp;

/**
 * The values a seccomp filter returns (include/uapi/linux/seccomp.h), named as in the kernel's
 * header. They are the one part of the seccomp ABI that the policy model ({@code Action}) and
 * the BPF tools (interpreter, disassembler, the kernel's action cache) both speak, so they live
 * here, below both, rather than in either.
 */
public final class SeccompRet {
    private SeccompRet() {}

    public static final int SECCOMP_RET_KILL_PROCESS = 0x80000000;
    public static final int SECCOMP_RET_KILL_THREAD = 0x00000000;
    public static final int SECCOMP_RET_TRAP = 0x00030000;
    public static final int SECCOMP_RET_ERRNO = 0x00050000;
    public static final int SECCOMP_RET_USER_NOTIF = 0x7fc00000;
    public static final int SECCOMP_RET_TRACE = 0x7ff00000;
    public static final int SECCOMP_RET_LOG = 0x7ffc0000;
    public static final int SECCOMP_RET_ALLOW = 0x7fff0000;
    /** The action bits of a return value. */
    public static final int SECCOMP_RET_ACTION_FULL = 0xffff0000;
    /** The data bits: errno, trap or trace data. */
    public static final int SECCOMP_RET_DATA = 0x0000ffff;
}
