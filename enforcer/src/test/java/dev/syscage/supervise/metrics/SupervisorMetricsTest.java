package dev.syscage.supervise.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.audit.FakeCall;
import dev.syscage.supervise.hooks.HookChain;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The supervisor's meters against SimpleMeterRegistry, and their Prometheus names. */
class SupervisorMetricsTest {
    private static final int OPENAT = 257;
    private static final int EXECVE = 59;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final AtomicLong auditRecords = new AtomicLong();
    private final SupervisorMetrics metrics =
            new SupervisorMetrics(auditRecords::get, clock::get, Duration.ofSeconds(1));
    private final MeterRegistry registry = new SimpleMeterRegistry();

    private double syscalls(String syscall, String decision) {
        return registry.get("syscage.syscalls")
                .tag("syscall", syscall)
                .tag("decision", decision)
                .counter()
                .count();
    }

    @Test
    void countsBySyscallAndDecisionAndTimesByDecision() {
        metrics.bindTo(registry);
        metrics.record(Arch.X86_64, OPENAT, Decision.allow("r:1"), 1_000);
        metrics.record(Arch.X86_64, OPENAT, Decision.allow("r:1"), 3_000);
        metrics.record(Arch.X86_64, OPENAT, Decision.errno(13, "r:2"), 5_000);
        metrics.record(Arch.X86_64, EXECVE, Decision.kill("r:3"), 7_000);
        metrics.record(Arch.X86_64, 99_999, Decision.allow("default"), 9_000);

        assertEquals(2, syscalls("openat", "allow"));
        assertEquals(1, syscalls("openat", "errno"));
        assertEquals(0, syscalls("openat", "kill"));
        assertEquals(1, syscalls("execve", "kill"));
        assertEquals(1, syscalls("unknown", "allow"));
        Timer allow = registry.get("syscage.decision.latency")
                .tag("decision", "allow")
                .timer();
        assertEquals(3, allow.count());
        assertEquals(13_000, allow.totalTime(TimeUnit.NANOSECONDS));
        assertEquals(
                1,
                registry.get("syscage.decision.latency")
                        .tag("decision", "kill")
                        .timer()
                        .count());
        assertEquals(5, registry.get("syscage.events").functionCounter().count());
    }

    @Test
    void theSyscallTagOnlyTakesNamesFromTheTable() {
        metrics.bindTo(registry);
        Random random = new Random(4);
        for (int i = 0; i < 5_000; i++) {
            metrics.record(Arch.X86_64, random.nextInt(), Decision.allow("default"), 1);
            metrics.record(Arch.X86_64, random.nextInt(460), Decision.allow("default"), 1);
        }
        Set<String> allowed = SyscallTable.of(Arch.X86_64).all().stream()
                .map(Syscall::name)
                .collect(Collectors.toCollection(TreeSet::new));
        allowed.add("unknown");
        Set<String> tags = registry.find("syscage.syscalls").counters().stream()
                .map(c -> c.getId().getTag("syscall"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(allowed.containsAll(tags), "every tag is a table name or 'unknown'");
        assertTrue(tags.contains("unknown"));
        Set<String> decisions = registry.find("syscage.syscalls").counters().stream()
                .map(c -> c.getId().getTag("decision"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("allow", "errno", "kill", "interrupted"), decisions);
    }

    @Test
    void eventRateIsOverTheLastInterval() {
        metrics.bindTo(registry);
        for (int i = 0; i < 10; i++) {
            metrics.record(Arch.X86_64, OPENAT, Decision.allow("r"), 1);
        }
        double rate0 = registry.get("syscage.events.rate").gauge().value();
        assertEquals(0, rate0, "no interval has passed yet");
        clock.addAndGet(2_000_000_000L);
        assertEquals(5.0, registry.get("syscage.events.rate").gauge().value(), 1e-9);
        metrics.record(Arch.X86_64, OPENAT, Decision.allow("r"), 1);
        clock.addAndGet(500_000_000L);
        assertEquals(
                5.0,
                registry.get("syscage.events.rate").gauge().value(),
                1e-9,
                "half an interval later the last interval's rate stands");
        clock.addAndGet(500_000_000L);
        assertEquals(1.0, registry.get("syscage.events.rate").gauge().value(), 1e-9);
    }

    @Test
    void auditRecordsAreReadFromTheLog() {
        metrics.bindTo(registry);
        auditRecords.set(42);
        assertEquals(42, registry.get("syscage.audit.records").functionCounter().count());
    }

    @Test
    void theHookFeedsMetricsAndSummary() {
        metrics.bindTo(registry);
        Summary summary = new Summary();
        HookChain chain = new HookChain(List.of(new MetricsHook(metrics, summary)), (m, e) -> {
            throw new AssertionError(m, e);
        });
        FakeCall call = FakeCall.openat(1, 5, 5);
        assertEquals(Decision.allow("default"), chain.decide(call, Decision.allow("default")));
        chain.decided(call, Decision.errno(13, "r:1"), 4_000);
        assertEquals(1, syscalls("openat", "errno"));
        assertEquals(List.of(new Summary.Row("openat", 1, 1, 0, 0, 4_000)), summary.rows());
    }

    @Test
    void bindingTwiceIsRefused() {
        metrics.bindTo(registry);
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> metrics.bindTo(new SimpleMeterRegistry()));
        assertEquals(
                "SupervisorMetrics is bound to a registry already; use a CompositeMeterRegistry to publish to"
                        + " several",
                e.getMessage());
    }

    @Test
    void prometheusNamesFollowTheConventions() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.bindTo(prometheus);
        metrics.record(Arch.X86_64, OPENAT, Decision.errno(13, "r:2"), 5_000);
        String text = prometheus.scrape();
        List<String> samples =
                text.lines().filter(l -> !l.startsWith("#")).sorted().toList();
        assertTrue(samples.contains("syscage_syscalls_total{decision=\"errno\",syscall=\"openat\"} 1.0"), text);
        assertTrue(samples.contains("syscage_events_total 1.0"), text);
        assertTrue(samples.contains("syscage_decision_latency_seconds_count{decision=\"errno\"} 1"), text);
        assertTrue(samples.contains("syscage_audit_records_total 0.0"), text);
        assertTrue(samples.stream().anyMatch(l -> l.startsWith("syscage_events_rate ")), text);
        for (Meter m : prometheus.getMeters()) {
            assertTrue(m.getId().getName().startsWith("syscage."), m.getId().getName());
        }
    }
}
