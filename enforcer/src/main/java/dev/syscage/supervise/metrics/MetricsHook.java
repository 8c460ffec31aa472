package dev.syscage.supervise.metrics;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.SyscallContext;
import dev.syscage.supervise.SyscallHook;

/**
 * Puts the metrics and the summary table on the hook chain: it never decides, and on each
 * decided event it counts into both. Cheap enough for the supervisor thread (a map lookup and
 * a few additions).
 */
public final class MetricsHook implements SyscallHook {
    private final SupervisorMetrics metrics;
    private final Summary summary;

    public MetricsHook(SupervisorMetrics metrics, Summary summary) {
        this.metrics = metrics;
        this.summary = summary;
    }

    @Override
    public String name() {
        return "metrics";
    }

    @Override
    public boolean mayDecideOnPath(Arch arch, int nr) {
        return false; // decides nothing
    }

    /** Counting needs nothing but the number. */
    @Override
    public boolean decidesByNumber(Arch arch, int nr) {
        return true;
    }

    @Override
    public void onDecidedByNumber(Arch arch, int nr, String name, Decision decision, long count) {
        metrics.count(arch, nr, decision, count);
        summary.add(name, decision.kind(), 0, count);
    }

    @Override
    public void onDecided(SyscallContext call, Decision decision, long latencyNanos) {
        metrics.record(call.arch(), call.event().nr(), decision, latencyNanos);
        summary.add(call.name(), decision.kind(), latencyNanos);
    }
}
