package dev.syscage.supervise;

import dev.syscage.policy.arch.Arch;
import java.util.List;
import java.util.Optional;

/**
 * What notify mode needs from the decision stage beyond trace mode's {@link Decider}:
 * the path the decision was made on (a race-free open must open exactly that one), a second look
 * at the rules with the real path of the file it opened, and a record of the call once its answer
 * is final ({@link Pending#settle}), so that the audit log, the metrics and the hooks see one
 * event per call with the decision it really got. Trace mode's {@link #decide} is the outcome,
 * settled at once: the answer is final as soon as it is decided.
 */
public interface NotifyDecider extends Decider {

    /**
     * A decision and the paths the call named, as read once from the target and matched by the
     * rules: the first as given and resolved, and for a call with two (rename, link) the other;
     * and the call itself, to be looked at again and settled.
     */
    record Outcome(
            Decision decision,
            Optional<String> path,
            Optional<String> resolvedPath,
            List<Optional<String>> otherPaths,
            List<Optional<String>> otherResolvedPaths,
            Pending pending) {
        public Outcome {
            otherPaths = List.copyOf(otherPaths);
            otherResolvedPaths = List.copyOf(otherResolvedPaths);
            java.util.Objects.requireNonNull(pending, "pending");
        }

        /** A call with at most one path, which nobody records. */
        public Outcome(Decision decision, Optional<String> path, Optional<String> resolvedPath) {
            this(decision, path, resolvedPath, List.of(), List.of(), Pending.NONE);
        }
    }

    /** A decided call whose answer is not final yet. Used on the supervisor thread only. */
    interface Pending {
        /** Nothing to look at again, nothing to record. */
        Pending NONE = new Pending() {
            @Override
            public Decision recheck(String realPath, List<Optional<String>> realOthers) {
                return Decision.errno(
                        dev.syscage.nativeaccess.SeccompNotify.EACCES, "real path " + realPath + " not rechecked");
            }

            @Override
            public void settle(Decision decision, Long result) {}
        };

        /**
         * The rules asked again about {@code realPath}, the file an allowed call actually reached
         * (through symlinks), and, when not null, {@code realOthers} for its other paths. Not
         * recorded by itself: the call's one record says what it finally got ({@link #settle}).
         */
        Decision recheck(String realPath, List<Optional<String>> realOthers);

        /**
         * The call's final answer: {@code decision} as sent (a second look's refusal included;
         * {@link Decision#interrupted} when it went away first) and {@code result}, what the
         * program got where the supervisor answered with a value (a descriptor, 0 or -errno;
         * null where the kernel ran the call). Records it and tells the hooks, once; later calls
         * are ignored.
         */
        void settle(Decision decision, Long result);
    }

    /** Decides one notification; nothing is recorded until its {@link Outcome#pending} is settled. */
    Outcome outcome(SyscallEvent event, TargetMemory memory);

    /** Trace mode: the decision is final; it is recorded now, before it is sent. */
    @Override
    default Decision decide(SyscallEvent event, TargetMemory memory) {
        Outcome out = outcome(event, memory);
        out.pending().settle(out.decision(), null);
        return out.decision();
    }

    /**
     * Whether the decision on syscall {@code nr} of {@code arch} may depend on the path the call
     * names. Only then must an allowed open be made by the supervisor (race-free, with ADDFD);
     * otherwise no rewrite of the path by another thread can change the answer, and the kernel
     * may run the call itself (CONTINUE), which costs far less.
     */
    boolean pathDecides(Arch arch, int nr);

    /**
     * The decision for every call of syscall {@code nr} of {@code arch}, when the number alone
     * makes it and nothing but the counters needs to see the call (no hook that looks, no path
     * rule, no audit record for it): then the call may be answered without asking this decider,
     * which is told afterwards with {@link #decidedByNumber}. Empty (the default) otherwise.
     */
    default Optional<Decision> decisionByNumber(Arch arch, int nr) {
        return Optional.empty();
    }

    /** {@code count} calls of {@code nr} were answered with {@code decision} from {@link #decisionByNumber}. */
    default void decidedByNumber(Arch arch, int nr, Decision decision, long count) {}
}
