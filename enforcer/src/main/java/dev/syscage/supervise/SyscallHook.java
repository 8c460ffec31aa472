package dev.syscage.supervise;

import java.util.Optional;

/**
 * A hook on the supervisor's event stream: the way to script one's own tracing without kernel
 * modules. Hooks are stacked: for each event every hook's {@link #onSyscall} is called in order
 * and the first decision wins (later hooks still see the event); then every hook's
 * {@link #onDecided} is told the outcome. Found with {@link java.util.ServiceLoader} or named in
 * the policy. Called on the supervisor's thread: return quickly, never block.
 */
public interface SyscallHook {
    /** A short name, used in audit records when this hook decides. */
    String name();

    /** Observe an event and optionally decide it. */
    default Optional<Decision> onSyscall(SyscallContext call) {
        return Optional.empty();
    }

    /** Observe the final decision and how long it took. */
    default void onDecided(SyscallContext call, Decision decision, long latencyNanos) {
    }
}
