package dev.syscage.supervise.notify;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.Decider;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.DecodedCall;
import dev.syscage.supervise.NotifyDecider;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.TargetMemory;
import dev.syscage.supervise.decode.SyscallDecoder;
import java.util.EnumMap;
import java.util.Map;

/**
 * A plain {@link Decider} (which records as it decides) used in notify mode: the path is decoded
 * separately from the decision, so the binding of path to decision is only as exact as two reads
 * of the target's memory are equal, and nothing is looked at again. Every call counts as one a
 * path could decide (nothing is known about it: the safe answer). Runs use
 * {@link dev.syscage.supervise.session.SupervisorSession}, which is a {@link NotifyDecider}.
 */
public final class SeparateDecoding implements NotifyDecider {
    private final Decider decider;
    private final Map<Arch, SyscallDecoder> decoders = new EnumMap<>(Arch.class);

    public SeparateDecoding(Decider decider) {
        this.decider = decider;
    }

    @Override
    public Outcome outcome(SyscallEvent event, TargetMemory memory) {
        Decision d = decider.decide(event, memory);
        DecodedCall c =
                decoders.computeIfAbsent(event.arch(), SyscallDecoder::new).decode(event.nr(), event.args(), memory);
        return new Outcome(d, c.path(), c.resolvedPath(), c.otherPaths(), c.otherResolvedPaths(), Pending.NONE);
    }

    @Override
    public Decision decide(SyscallEvent event, TargetMemory memory) {
        return decider.decide(event, memory);
    }

    @Override
    public boolean pathDecides(Arch arch, int nr) {
        return true;
    }

    @Override
    public void processChanged(int pid) {
        decider.processChanged(pid);
    }
}
