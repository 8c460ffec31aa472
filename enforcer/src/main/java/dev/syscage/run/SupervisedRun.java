package dev.syscage.run;

import dev.syscage.nativeaccess.AuditNetlink;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.SuperviseRulesHook;
import dev.syscage.supervise.SyscallHook;
import dev.syscage.supervise.audit.AuditFormat;
import dev.syscage.supervise.audit.AuditLog;
import dev.syscage.supervise.audit.RunEnd;
import dev.syscage.supervise.hooks.HookChain;
import dev.syscage.supervise.metrics.MetricsFile;
import dev.syscage.supervise.metrics.MetricsHook;
import dev.syscage.supervise.metrics.Summary;
import dev.syscage.supervise.metrics.SupervisorMetrics;
import dev.syscage.supervise.session.SupervisorSession;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything around a supervised run: the audit log (only when one was asked for), the hook chain
 * (the policy's supervise rules first, then metrics, then the user's hooks), the metrics file and
 * the summary. {@link #finish} completes the log and says what became of it; closing it also
 * writes the last metrics, also when the program was killed.
 */
public final class SupervisedRun implements AutoCloseable {
    /**
     * What the CLI asks for.
     *
     * @param log the audit log file, or null for none
     * @param raceFreeAllOpens notify mode: make every allowed open race-free (openat2 + ADDFD),
     *     not only those a path could decide
     * @param stopWhenLogFails when the log cannot be written, stop the program (else it goes on,
     *     and the records lost are counted)
     * @param quiet say nothing on stderr but errors (no line about the log)
     */
    public record Settings(
            Path log,
            AuditFormat format,
            LogLevel level,
            Path metrics,
            boolean summary,
            List<String> hooks,
            boolean raceFreeAllOpens,
            boolean stopWhenLogFails,
            boolean quiet) {}

    /** The audit log file cannot be opened for writing: nothing was started. */
    public static final class LogUnwritable extends Exception {
        LogUnwritable(Path log, IOException cause) {
            super("cannot write the audit log " + log + ": " + reason(cause), cause);
        }

        private static String reason(IOException e) {
            if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
                return fs.getReason();
            }
            if (e instanceof java.nio.file.NoSuchFileException) {
                return "no such directory";
            }
            if (e instanceof java.nio.file.AccessDeniedException) {
                return "permission denied";
            }
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
    }

    /** File systems whose files the kernel makes up: a log there cannot be written (or must not be). */
    private static final java.util.Set<String> PSEUDO_FILE_SYSTEMS = java.util.Set.of(
            "proc",
            "sysfs",
            "cgroup",
            "cgroup2",
            "securityfs",
            "debugfs",
            "tracefs",
            "configfs",
            "bpf",
            "efivarfs",
            "pstore");

    /**
     * The audit queue's size when a write failure is to stop the program: the program is never
     * more than this many supervised calls ahead of its log, so it is stopped soon after the
     * failure (the default queue is 16 times larger, for runs that go on).
     */
    static final int STOP_CAPACITY = 4096;

    private final AuditLog log;
    private final Path logPath;
    private final Summary summary;
    private final MetricsFile metricsFile;
    private SupervisorSession session; // set once, at the end of the constructor (the log's failure handler needs it)
    private final PrintWriter err;
    private final boolean printSummary;
    private final boolean stopWhenLogFails;
    private final boolean quiet;
    private boolean finished;
    private String logLine;
    private LandlockAuditTap landlockTap;
    /** The last calls the supervisor denied each process: named if the program dies of a signal. */
    private final dev.syscage.supervise.LastDenials lastDenials = new dev.syscage.supervise.LastDenials();

    public SupervisedRun(Policy policy, Settings s, PrintWriter err) throws LogUnwritable {
        this.err = err;
        this.logPath = s.log();
        this.stopWhenLogFails = s.stopWhenLogFails();
        this.quiet = s.quiet();
        this.log = logPath == null ? null : openLog(s, err, () -> session.stopNow());
        this.summary = new Summary();
        this.printSummary = s.summary();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SupervisorMetrics metrics =
                log == null ? new SupervisorMetrics(() -> 0L) : new SupervisorMetrics(log::written, log::lost);
        metrics.bindTo(registry);
        this.metricsFile = s.metrics() == null
                ? null
                : MetricsFile.prometheus(
                                s.metrics(),
                                registry,
                                Duration.ofSeconds(5),
                                msg -> err.println("syscage: metrics: " + msg))
                        .start();
        List<SyscallHook> builtIn =
                List.of(new SuperviseRulesHook(policy.supervision()), new MetricsHook(metrics, summary), lastDenials);
        List<String> named = new java.util.ArrayList<>(policy.supervision().hooks());
        s.hooks().stream().filter(h -> !named.contains(h)).forEach(named::add);
        HookChain chain = HookChain.load(
                builtIn, named, Thread.currentThread().getContextClassLoader(), HookChain.FailureListener.stderr());
        Decision fallback = SuperviseRulesHook.fallback(policy.supervision());
        this.session = new SupervisorSession(chain, fallback, log, s.raceFreeAllOpens(), s.stopWhenLogFails());
    }

    /** A log file's directory exists and is not on a file system whose files the kernel makes up. */
    static void checkPlace(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new java.nio.file.NoSuchFileException(parent.toString(), null, "no such directory: " + parent);
        }
        String fs = Files.getFileStore(parent).type();
        if (PSEUDO_FILE_SYSTEMS.contains(fs)) {
            throw new java.nio.file.FileSystemException(
                    file.toString(), null, "it is on " + fs + ", whose files are the kernel's, not a place for a log");
        }
    }

    /** Opens (creates or truncates) the log now, before anything runs: a path it cannot write is the user's to fix. */
    private static AuditLog openLog(Settings s, PrintWriter err, Runnable stopper) throws LogUnwritable {
        Path file = s.log();
        try {
            checkPlace(file);
            boolean stop = s.stopWhenLogFails();
            // stopping: the program may run ahead of its log by this many calls at most
            int capacity = stop ? STOP_CAPACITY : AuditLog.DEFAULT_CAPACITY;
            return AuditLog.open(file, s.format(), s.level(), capacity, msg -> {
                err.println("syscage: " + msg
                        + (stop
                                ? "; stopping the program (--on-log-error stop)"
                                : "; the program goes on (--on-log-error continue)"));
                err.flush();
                if (stop) {
                    stopper.run();
                }
            });
        } catch (IOException e) {
            throw new LogUnwritable(file, e);
        }
    }

    public SupervisorSession session() {
        return session;
    }

    /** The last calls the supervisor denied process {@code pid} (as the initial PID namespace numbers it). */
    public List<String> lastDenied(long pid) {
        return lastDenials.of(pid);
    }

    /** The audit log file, or null when there is none. */
    public Path logPath() {
        return logPath;
    }

    /**
     * Completes the audit log once the program has ended and says what became of it: the
     * program's {@code exitCode}, or {@code logFailedCode} when the log could not be written and
     * the run was to stop for that.
     */
    public int finish(int exitCode, int logFailedCode) {
        return finish(exitCode, null, logFailedCode);
    }

    /**
     * As {@link #finish(int, int)}, ending the log with the run's closing record: {@code end}'s
     * exit status is the program's, and its count of calls explains the gaps in {@code seq}.
     */
    public int finish(RunEnd end, int logFailedCode) {
        return finish(end.exit(), end, logFailedCode);
    }

    private int finish(int exitCode, RunEnd end, int logFailedCode) {
        if (finished || log == null) {
            finished = true;
            return exitCode;
        }
        finished = true;
        if (landlockTap != null) {
            landlockTap.close(); // its last records go to the log, which must still be open
        }
        if (end != null) {
            log.end(end);
        }
        log.close();
        java.util.Optional<String> failure = log.failure();
        if (failure.isPresent()) {
            logLine = "syscage: audit log " + logPath + ": " + failure.get()
                    + (!stopWhenLogFails
                            ? ""
                            : session.stopped() > 0
                                    ? "; the program was stopped"
                                    : "; the program had ended before that was known");
        } else if (!quiet) {
            logLine = "syscage: audit log: " + logPath + " (" + log.written() + " records)";
        }
        return failure.isPresent() && stopWhenLogFails ? logFailedCode : exitCode;
    }

    /**
     * Brings the kernel's reports of Landlock denials into the audit log where it can
     * ({@link LandlockAuditTap#start}: the ruleset handles something, the kernel audit is on and
     * readable); else does nothing. Call before the launcher starts, and tell the program's pid
     * to {@link #watchProgram}.
     */
    public void tapLandlockDenials(LandlockRuleset ruleset) {
        if (log == null) {
            return; // no audit log asked for
        }
        landlockTap = LandlockAuditTap.start(ruleset, log, AuditNetlink.instance(), msg -> {
                    err.println("syscage: " + msg);
                    err.flush();
                })
                .orElse(null);
    }

    /** The program's process, as the initial PID namespace numbers it: the denials of its Landlock domains are the run's. */
    public void watchProgram(int pid) {
        if (landlockTap != null) {
            landlockTap.watch(pid);
        }
    }

    /** Completes the log if {@link #finish} was not called, writes the last metrics, the summary, and what became of the log. */
    @Override
    public void close() {
        try {
            finish(0, 0);
        } finally {
            if (metricsFile != null) {
                metricsFile.close();
            }
            if (printSummary) {
                err.print(summary.render());
            }
            if (logLine != null) {
                err.println(logLine);
            }
            err.flush();
        }
    }
}
