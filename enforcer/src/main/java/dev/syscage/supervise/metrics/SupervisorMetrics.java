package dev.syscage.supervise.metrics;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.supervise.Decision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The supervisor's meters:
 * <ul>
 * <li>{@code syscage.syscalls} (counter; tags {@code syscall}, {@code decision}) — events by syscall and outcome</li>
 * <li>{@code syscage.decision.latency} (timer; tag {@code decision}) — time from the event to its decision</li>
 * <li>{@code syscage.events} (counter) — all events</li>
 * <li>{@code syscage.events.rate} (gauge) — events per second over the last interval</li>
 * <li>{@code syscage.audit.records} (counter) — records written to the audit log</li>
 * <li>{@code syscage.audit.records.lost} (counter) — records that could not be written (a write
 * error under {@code --on-log-error continue}: from the first error on, every record is counted here)</li>
 * </ul>
 * Tag values are bounded: {@code decision} is allow, errno or kill, and {@code syscall} is a
 * name from the syscall table of the event's arch, or "unknown" — never anything the traced
 * program chose, such as a path. Fed by {@link MetricsHook}; bound to one registry.
 */
public final class SupervisorMetrics implements MeterBinder {
    private static final Decision.Kind[] KINDS = Decision.Kind.values();

    private final LongSupplier auditRecords;
    private final LongSupplier lostRecords;
    private final LongSupplier nanoClock;
    private final Duration rateInterval;
    private final LongAdder events = new LongAdder();
    /** Counters per (arch, nr), one per decision kind, registered on first use. */
    private final Map<Long, Counter[]> counters = new ConcurrentHashMap<>();

    private volatile MeterRegistry registry;
    private volatile Timer[] timers;

    /**
     * @param auditRecords how many records the audit log has written (0 when there is none)
     * @param nanoClock    a monotonic clock in nanoseconds ({@code System::nanoTime})
     * @param rateInterval the shortest window over which {@code syscage.events.rate} is computed
     */
    public SupervisorMetrics(LongSupplier auditRecords, LongSupplier nanoClock, Duration rateInterval) {
        this(auditRecords, () -> 0L, nanoClock, rateInterval);
    }

    /** As above, with how many records the audit log could not write ({@code syscage.audit.records.lost}). */
    public SupervisorMetrics(
            LongSupplier auditRecords, LongSupplier lostRecords, LongSupplier nanoClock, Duration rateInterval) {
        this.auditRecords = auditRecords;
        this.lostRecords = lostRecords;
        this.nanoClock = nanoClock;
        this.rateInterval = rateInterval;
    }

    /** Real clock, rate over at least one second. */
    public SupervisorMetrics(LongSupplier auditRecords) {
        this(auditRecords, () -> 0L);
    }

    /** Real clock, rate over at least one second; records written and records lost by the audit log. */
    public SupervisorMetrics(LongSupplier auditRecords, LongSupplier lostRecords) {
        this(auditRecords, lostRecords, System::nanoTime, Duration.ofSeconds(1));
    }

    @Override
    public synchronized void bindTo(MeterRegistry r) {
        if (registry != null) {
            throw new IllegalStateException("SupervisorMetrics is bound to a registry already;"
                    + " use a CompositeMeterRegistry to publish to several");
        }
        FunctionCounter.builder("syscage.events", events, LongAdder::doubleValue)
                .description("Syscall events the supervisor received")
                .register(r);
        EventRate rate = new EventRate(events::sum, nanoClock, rateInterval.toNanos());
        Gauge.builder("syscage.events.rate", rate, EventRate::perSecond)
                .strongReference(true)
                .description("Events per second over the last interval")
                .register(r);
        FunctionCounter.builder("syscage.audit.records", auditRecords, s -> (double) s.getAsLong())
                .description("Records written to the audit log")
                .register(r);
        FunctionCounter.builder("syscage.audit.records.lost", lostRecords, s -> (double) s.getAsLong())
                .description("Audit records that could not be written (a write error; --on-log-error continue)")
                .register(r);
        Timer[] t = new Timer[KINDS.length];
        for (Decision.Kind k : KINDS) {
            t[k.ordinal()] = Timer.builder("syscage.decision.latency")
                    .tag("decision", tag(k))
                    .description("Time from receiving an event to its decision")
                    .register(r);
        }
        timers = t;
        registry = r;
    }

    /** Counts one decided event. Before {@link #bindTo} only the event count is kept. */
    public void record(Arch arch, int nr, Decision decision, long latencyNanos) {
        events.increment();
        MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        counter(r, arch, nr, decision).increment();
        timers[decision.kind().ordinal()].record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Counts {@code count} events decided alike without a decision time of their own (answered
     * natively by number): the event and syscall counters move, the latency timer does not.
     */
    public void count(Arch arch, int nr, Decision decision, long count) {
        events.add(count);
        MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        counter(r, arch, nr, decision).increment(count);
    }

    /** The syscall's counter for this decision's kind, registered on first use. */
    private Counter counter(MeterRegistry r, Arch arch, int nr, Decision decision) {
        return counters.computeIfAbsent(key(arch, nr), x -> register(r, syscallTag(arch, nr)))[
                decision.kind().ordinal()];
    }

    /** The syscall's name in {@code arch}'s table, or "unknown". */
    public static String syscallTag(Arch arch, int nr) {
        return SyscallTable.of(arch).byNumber(nr).map(Syscall::name).orElse("unknown");
    }

    private static Counter[] register(MeterRegistry r, String syscall) {
        Counter[] c = new Counter[KINDS.length];
        for (Decision.Kind k : KINDS) {
            c[k.ordinal()] = Counter.builder("syscage.syscalls")
                    .tag("syscall", syscall)
                    .tag("decision", tag(k))
                    .description("Traced syscalls by name and decision")
                    .register(r);
        }
        return c;
    }

    private static long key(Arch arch, int nr) {
        return ((long) arch.ordinal() << 32) | (nr & 0xFFFFFFFFL);
    }

    /** As {@link Decision#tag()}: allow, errno, kill. */
    private static String tag(Decision.Kind k) {
        return k.name().toLowerCase(Locale.ROOT);
    }
}
