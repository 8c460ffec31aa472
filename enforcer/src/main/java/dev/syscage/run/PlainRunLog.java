package dev.syscage.run;

import dev.syscage.nativeaccess.AuditNetlink;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.supervise.audit.AuditFormat;
import dev.syscage.supervise.audit.AuditLog;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The audit log ({@code --log}) of a run with no supervisor: no call goes through syscage, so
 * all it can hold is what the kernel's audit says of the program's Landlock denials
 * ({@link LandlockAuditTap}). It is written only when asked for and the policy has a Landlock
 * ruleset; where the kernel audit is off or not readable it stays empty.
 */
public final class PlainRunLog implements AutoCloseable {
    private final Path file;
    private final AuditLog log;
    private final LandlockAuditTap tap;
    private final PrintWriter err;

    private PlainRunLog(Path file, AuditLog log, LandlockAuditTap tap, PrintWriter err) {
        this.file = file;
        this.log = log;
        this.tap = tap;
        this.err = err;
    }

    /** Opens (creates or truncates) the log and starts the tap where it can work; call before the launcher. */
    public static PlainRunLog open(
            Path file, AuditFormat format, LogLevel level, LandlockRuleset ruleset, PrintWriter err)
            throws SupervisedRun.LogUnwritable {
        java.util.function.Consumer<String> errors = msg -> {
            err.println("syscage: " + msg);
            err.flush();
        };
        AuditLog log;
        try {
            SupervisedRun.checkPlace(file);
            log = AuditLog.open(file, format, level, msg -> errors.accept("audit log: " + msg));
        } catch (IOException e) {
            throw new SupervisedRun.LogUnwritable(file, e);
        }
        return new PlainRunLog(
                file,
                log,
                LandlockAuditTap.start(ruleset, log, AuditNetlink.instance(), errors)
                        .orElse(null),
                err);
    }

    /** Whether the kernel's reports are being read (the audit is on and readable): then the program's pid is wanted. */
    public boolean tapping() {
        return tap != null;
    }

    /** The program's process, as syscage numbers it. */
    public void watchProgram(int pid) {
        if (tap != null) {
            tap.watch(pid);
        }
    }

    /** Takes the run's last records, completes the log and says where it is, as a supervised run does. */
    @Override
    public void close() {
        try {
            if (tap != null) {
                tap.close();
            }
            log.close();
        } finally {
            err.println("syscage: audit log: " + file + " (" + log.written() + " records)");
            err.flush();
        }
    }
}
