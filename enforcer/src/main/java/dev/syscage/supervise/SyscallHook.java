package dev.syscage.supervise;

import dev.syscage.policy.arch.Arch;
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

    /**
     * Whether this hook's decision on syscall {@code nr} of {@code arch} may depend on the path
     * the call names (memory of the target, which another of its threads can rewrite). In notify
     * mode an allowed open is made by the supervisor itself, race-free, exactly when some hook
     * says yes here; otherwise the kernel runs the call as asked. The default is the safe yes;
     * a hook that never decides, or decides on numbers only, should say no.
     */
    default boolean mayDecideOnPath(Arch arch, int nr) {
        return true;
    }

    /**
     * Observe the final decision and how long it took: once the call's answer is final (in notify
     * mode after it was sent, a second look at a real path included; {@link Decision.Kind#INTERRUPTED}
     * for a call that went away first), unless {@link #observesBeforeAnswer} says otherwise.
     */
    default void onDecided(SyscallContext call, Decision decision, long latencyNanos) {}

    /**
     * Whether {@link #onDecided} must see the call before its answer is sent, while the program
     * still waits and the call has not run (a hook that looks at the file system as the call
     * finds it, as {@code syscage learn} does). It is then told the first decision, which a
     * second look in notify mode may still change. Default: no, the final decision.
     */
    default boolean observesBeforeAnswer() {
        return false;
    }

    /**
     * Whether calls of syscall {@code nr} of {@code arch} may be decided without calling this
     * hook on each: its decision on every one of them is {@link #decisionByNumber}, and being
     * told of them in bulk ({@link #onDecidedByNumber}) is all it needs. When every hook says
     * yes, notify mode may answer such calls natively, without entering the JVM. The default is
     * the safe no: the hook sees every call.
     */
    default boolean decidesByNumber(Arch arch, int nr) {
        return false;
    }

    /** Where {@link #decidesByNumber} holds: this hook's decision on every call of {@code nr}, or empty for none. */
    default Optional<Decision> decisionByNumber(Arch arch, int nr) {
        return Optional.empty();
    }

    /**
     * {@code count} calls of {@code nr} (named {@code name}) were decided by number, as
     * {@code decision}, without {@link #onSyscall} or {@link #onDecided}.
     */
    default void onDecidedByNumber(Arch arch, int nr, String name, Decision decision, long count) {}
}
