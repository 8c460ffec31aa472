package dev.syscage.supervise;

import dev.syscage.policy.arch.Arch;

/**
 * An event with what hooks need to look at it: the raw event, the syscall's name, the target's
 * memory, and the decoded form (computed once, on first use).
 */
public interface SyscallContext {
    SyscallEvent event();

    /** The syscall's name in the event's arch, or "syscall_0x1c8" (hex) when the table does not know it. */
    String name();

    default Arch arch() {
        return event().arch();
    }

    TargetMemory memory();

    /** The call decoded like strace does (paths read, flags named). */
    DecodedCall decoded();
}
