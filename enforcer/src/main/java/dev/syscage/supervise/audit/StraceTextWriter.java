package dev.syscage.supervise.audit;

import dev.syscage.policy.arch.Constants;
import dev.syscage.supervise.Complaint;
import dev.syscage.supervise.Decision;
import java.io.IOException;
import java.io.Writer;

/**
 * strace-like lines, one per record, the decision in place of the return value and the
 * decision latency in strace's {@code -T} form (seconds, truncated to microseconds):
 * <pre>
 * [pid 1234] openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = ALLOW (rule web.yaml:12) &lt;0.000013&gt;
 * [pid 1234] openat(AT_FDCWD, "/root/x", O_RDONLY) = -1 EACCES (rule web.yaml:14) &lt;0.000009&gt;
 * [pid 1234] execve("/tmp/x", ["x"], 0x7ffd...) = KILL (rule mine, hook audit-rules) &lt;0.000020&gt;
 * [pid 1234] openat(AT_FDCWD, "/tmp/a", O_RDONLY) = ALLOW 3 (rule web.yaml:12) &lt;0.000015&gt;
 * [pid 1234] openat(AT_FDCWD, "/tmp/b", O_RDONLY) = ALLOW -1 ENOENT (rule web.yaml:12) &lt;0.000015&gt;
 * [pid 1234] openat(AT_FDCWD, "/tmp/c", O_RDONLY) = ? INTERRUPTED (rule allow web.yaml:12) &lt;0.000015&gt;
 * </pre>
 * An allowed call that syscage made itself (notify mode) shows what the program got after ALLOW.
 * The pid shown is the calling thread's id, as strace's {@code -f} does.
 */
final class StraceTextWriter implements RecordWriter {
    private final Writer out;
    private final StringBuilder line = new StringBuilder(256);

    StraceTextWriter(Writer out) {
        this.out = out;
    }

    @Override
    public void write(AuditRecord r) throws IOException {
        line.setLength(0);
        line.append("[pid ").append(r.tid()).append("] ").append(r.callText()).append(" = ");
        appendOutcome(line, r.decision());
        if (r.decision().kind() == Decision.Kind.ALLOW && r.result() != null) {
            long v = r.result();
            String name = v < 0 ? Constants.errnoName((int) -v) : null;
            line.append(' ').append(v >= 0 ? Long.toString(v) : "-1 " + (name == null ? Long.toString(-v) : name));
        }
        Complaint w = r.decision().would();
        if (w != null) { // complain mode: the call ran; what the policy would have done, and its rule
            line.append(", would be ")
                    .append(
                            switch (w.action()) {
                                case "errno" ->
                                    "-1 "
                                            + (Constants.errnoName(w.errno()) == null
                                                    ? Integer.toString(w.errno())
                                                    : Constants.errnoName(w.errno()));
                                case "trap" -> "TRAP";
                                default -> "KILL";
                            });
        }
        line.append(" (rule ")
                .append(
                        w != null
                                ? w.rule() + ", complain"
                                : r.decision().rule() == null
                                        ? "default"
                                        : r.decision().rule());
        if (r.hook() != null) {
            line.append(", hook ").append(r.hook());
        }
        line.append(") <");
        appendSeconds(line, r.latencyNanos());
        line.append(">\n");
        out.append(line);
    }

    static void appendOutcome(StringBuilder sb, Decision d) {
        switch (d.kind()) {
            case ALLOW -> sb.append("ALLOW");
            case KILL -> sb.append("KILL");
            case INTERRUPTED -> sb.append("? INTERRUPTED");
            case ERRNO -> {
                String name = Constants.errnoName(d.errno());
                sb.append("-1 ").append(name == null ? Integer.toString(d.errno()) : name);
            }
        }
    }

    static void appendSeconds(StringBuilder sb, long nanos) {
        long micros = Math.max(0, nanos) / 1000;
        String frac = Long.toString(micros % 1_000_000);
        sb.append(micros / 1_000_000).append('.');
        for (int i = frac.length(); i < 6; i++) {
            sb.append('0');
        }
        sb.append(frac);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
