package dev.syscage.supervise;

/**
 * Decides one supervised call; called on the supervisor thread while the call waits (trace
 * mode: the target is stopped). Both supervisors ask it, so rules, audit log, hooks and metrics
 * are the same in either mode.
 */
public interface Decider {
    Decision decide(SyscallEvent event, TargetMemory memory);

    /** A process exec'd or exited: what is cached about it is stale. */
    default void processChanged(int pid) {}
}
