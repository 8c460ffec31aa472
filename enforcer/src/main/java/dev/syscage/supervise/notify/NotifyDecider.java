package dev.syscage.supervise.notify;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.DecodedCall;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.TargetMemory;
import dev.syscage.supervise.decode.SyscallDecoder;
import dev.syscage.supervise.trace.TraceSupervisor;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What notify mode needs from the decision stage beyond trace mode's {@link TraceSupervisor.Decider}:
 * the path the decision was made on (a race-free open must open exactly that one), a second look
 * at the rules with the real path of the file it opened, and a way to keep a restarted call
 * (re-sent by the kernel with a new id) out of the audit log a second time.
 */
public interface NotifyDecider {

    /**
     * A decision and the paths the call named, as read once from the target and matched by the
     * rules: the first as given and resolved, and for a call with two (rename, link) the other.
     */
    record Outcome(Decision decision, Optional<String> path, Optional<String> resolvedPath,
            List<Optional<String>> otherPaths, List<Optional<String>> otherResolvedPaths) {
        public Outcome {
            otherPaths = List.copyOf(otherPaths);
            otherResolvedPaths = List.copyOf(otherResolvedPaths);
        }

        /** A call with at most one path. */
        public Outcome(Decision decision, Optional<String> path, Optional<String> resolvedPath) {
            this(decision, path, resolvedPath, List.of(), List.of());
        }
    }

    /**
     * Decides one notification and records it. {@code resentOf} is the outcome of the
     * interrupted call this one restarts, or null: when the new outcome equals it, the call is
     * already in the audit log and is not recorded (or counted) again.
     */
    Outcome decide(SyscallEvent event, TargetMemory memory, Outcome resentOf);

    /**
     * The rules asked again about {@code realPath}, the file an allowed open actually reached
     * (through symlinks). A decision other than allow is recorded as its own audit record.
     */
    Decision recheck(SyscallEvent event, TargetMemory memory, String realPath);

    /** As {@link #recheck(SyscallEvent, TargetMemory, String)}, with the call's other paths replaced too. */
    default Decision recheck(SyscallEvent event, TargetMemory memory, String realPath,
            List<Optional<String>> realOthers) {
        return recheck(event, memory, realPath);
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
    default void decidedByNumber(Arch arch, int nr, Decision decision, long count) {
    }

    /**
     * For a plain trace-mode decider: the path is decoded separately from the decision, so the
     * binding of path to decision is only as exact as two reads of the target's memory are equal.
     * Runs use {@link dev.syscage.supervise.SupervisorSession}, which implements this interface.
     */
    static NotifyDecider of(TraceSupervisor.Decider decider) {
        if (decider instanceof NotifyDecider n) {
            return n;
        }
        return new NotifyDecider() {
            private final Map<Arch, SyscallDecoder> decoders = new EnumMap<>(Arch.class);

            @Override
            public Outcome decide(SyscallEvent event, TargetMemory memory, Outcome resentOf) {
                Decision d = decider.decide(event, memory);
                DecodedCall c = decoders.computeIfAbsent(event.arch(), SyscallDecoder::new)
                        .decode(event.nr(), event.args(), memory);
                return new Outcome(d, c.path(), c.resolvedPath(), c.otherPaths(), c.otherResolvedPaths());
            }

            @Override
            public boolean pathDecides(Arch arch, int nr) {
                return true; // nothing known about it: the safe answer
            }

            @Override
            public Decision recheck(SyscallEvent event, TargetMemory memory, String realPath) {
                return Decision.errno(dev.syscage.nativeaccess.SeccompNotify.EACCES, "real path " + realPath + " not rechecked");
            }
        };
    }
}
