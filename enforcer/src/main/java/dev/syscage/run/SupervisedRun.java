package dev.syscage.run;

import dev.syscage.nativeaccess.AuditNetlink;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.model.Policy;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.SuperviseRulesHook;
import dev.syscage.supervise.SupervisorSession;
import dev.syscage.supervise.SyscallHook;
import dev.syscage.supervise.audit.AuditFormat;
import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.supervise.audit.AuditLog;
import dev.syscage.supervise.hooks.HookChain;
import dev.syscage.supervise.metrics.MetricsFile;
import dev.syscage.supervise.metrics.MetricsHook;
import dev.syscage.supervise.metrics.Summary;
import dev.syscage.supervise.metrics.SupervisorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Everything around a supervised run: the audit log, the hook chain (the policy's supervise
 * rules first, then metrics, then the user's hooks), the metrics file and the summary. Closing
 * it completes the log and writes the last metrics, also when the program was killed.
 */
public final class SupervisedRun implements AutoCloseable {
    /**
     * What the CLI asks for.
     *
     * @param raceFreeAllOpens notify mode: make every allowed open race-free (openat2 + ADDFD),
     *     not only those a path could decide
     */
    public record Settings(Path log, AuditFormat format, LogLevel level, Path metrics, boolean summary,
            List<String> hooks, boolean raceFreeAllOpens) {
    }

    private final AuditLog log;
    private final Path logPath;
    private final Summary summary;
    private final MetricsFile metricsFile;
    private final SupervisorSession session;
    private final PrintWriter err;
    private final boolean printSummary;
    private LandlockAuditTap landlockTap;

    public SupervisedRun(Policy policy, Settings s, PrintWriter err) throws IOException {
        this.err = err;
        this.logPath = s.log() != null ? s.log() : defaultLogPath();
        Files.createDirectories(logPath.toAbsolutePath().getParent());
        this.log = AuditLog.open(logPath, s.format(), s.level(), msg -> {
            err.println("syscage: audit log: " + msg);
            err.flush();
        });
        this.summary = new Summary();
        this.printSummary = s.summary();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SupervisorMetrics metrics = new SupervisorMetrics(log::written);
        metrics.bindTo(registry);
        this.metricsFile = s.metrics() == null ? null
                : MetricsFile.prometheus(s.metrics(), registry, Duration.ofSeconds(5), msg -> err.println("syscage: metrics: " + msg)).start();
        List<SyscallHook> builtIn = List.of(new SuperviseRulesHook(policy.supervision()), new MetricsHook(metrics, summary));
        List<String> named = new java.util.ArrayList<>(policy.supervision().hooks());
        s.hooks().stream().filter(h -> !named.contains(h)).forEach(named::add);
        HookChain chain = HookChain.load(builtIn, named, Thread.currentThread().getContextClassLoader(),
                HookChain.FailureListener.stderr());
        Decision fallback = SuperviseRulesHook.fallback(policy.supervision());
        this.session = new SupervisorSession(chain, fallback, log, s.raceFreeAllOpens());
    }

    public SupervisorSession session() {
        return session;
    }

    public Path logPath() {
        return logPath;
    }

    /**
     * Brings the kernel's reports of Landlock denials into the audit log where it can
     * ({@link LandlockAuditTap#start}: the ruleset handles something, the kernel audit is on and
     * readable); else does nothing. Call before the launcher starts, and tell the program's pid
     * to {@link #watchProgram}.
     */
    public void tapLandlockDenials(LandlockRuleset ruleset) {
        landlockTap = LandlockAuditTap.start(ruleset, log, AuditNetlink.instance(), msg -> {
            err.println("syscage: " + msg);
            err.flush();
        }).orElse(null);
    }

    /** The program's process, as the initial PID namespace numbers it: the denials of its Landlock domains are the run's. */
    public void watchProgram(int pid) {
        if (landlockTap != null) {
            landlockTap.watch(pid);
        }
    }

    private static Path defaultLogPath() {
        String state = System.getenv("XDG_STATE_HOME");
        Path base = state != null && !state.isBlank() ? Path.of(state)
                : Path.of(System.getProperty("user.home"), ".local", "state");
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return base.resolve("syscage").resolve("audit-" + stamp + "-" + ProcessHandle.current().pid() + ".jsonl");
    }

    @Override
    public void close() {
        try {
            if (landlockTap != null) {
                landlockTap.close(); // its last records go to the log, which must still be open
            }
            log.close();
        } finally {
            if (metricsFile != null) {
                metricsFile.close();
            }
            if (printSummary) {
                err.print(summary.render());
            }
            err.println("syscage: audit log: " + logPath + " (" + log.written() + " records)");
            err.flush();
        }
    }
}
