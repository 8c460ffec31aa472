package dev.syscage.report;

import dev.syscage.auditlog.AuditRun;
import dev.syscage.auditlog.CallRecord;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.metrics.Summary;
import java.util.Map;

/**
 * {@code syscage report --format text}: the run's header, what the log covers, and the table
 * {@code --summary} prints ({@code strace -c}'s shape: calls, errors, kills and interrupted calls
 * per syscall, by final decision, most calls first). Of a run with log level all, the table is
 * the one that run's {@code --summary} printed.
 */
public final class TextReport {
    private static final Map<String, Decision.Kind> KINDS = Map.of(
            "allow",
            Decision.Kind.ALLOW,
            "errno",
            Decision.Kind.ERRNO,
            "kill",
            Decision.Kind.KILL,
            "interrupted",
            Decision.Kind.INTERRUPTED);

    private TextReport() {}

    public static String render(AuditRun run) {
        StringBuilder sb = new StringBuilder();
        sb.append("run ").append(run.id() == null ? "(no records)" : run.id()).append('\n');
        run.end().ifPresent(e -> {
            sb.append("command: ").append(String.join(" ", e.command())).append('\n');
            sb.append("policy: ")
                    .append(e.policy())
                    .append("; mode ")
                    .append(e.mode())
                    .append("; log level ")
                    .append(e.logLevel())
                    .append('\n');
            sb.append("started ")
                    .append(e.started())
                    .append(", ended ")
                    .append(e.ended())
                    .append(", exit ")
                    .append(e.exit())
                    .append('\n');
        });
        sb.append(run.coverage()).append('\n');
        if (!run.complained().isEmpty()) {
            sb.append("complain mode: ")
                    .append(AuditRun.plural(run.complained().size(), "call"))
                    .append(" ran that the policy would have denied (counted as allow below)\n");
        }
        sb.append('\n');
        Summary table = new Summary();
        for (CallRecord c : run.supervised()) {
            table.add(c.syscall(), KINDS.get(c.decision()), c.latencyNanos());
        }
        return sb.append(table.render()).toString();
    }
}
