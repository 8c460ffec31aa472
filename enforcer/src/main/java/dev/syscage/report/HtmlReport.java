package dev.syscage.report;

import dev.syscage.auditlog.AuditRun;
import dev.syscage.auditlog.CallRecord;
import java.util.List;

/**
 * {@code syscage report}: one self-contained HTML page of an audit log. No script, no font, no
 * style sheet or image from anywhere: the charts are SVG drawn here ({@link HistogramChart},
 * {@link TimelineChart}), the style is inline, and a Content-Security-Policy forbids the page
 * any fetch at all, so it reads the same offline, from a mail attachment, years later.
 * Sections: the run (its closing record), the histogram with its numbers as a table, the
 * timeline, the process tree, and the denied calls with the rule that decided and the paths.
 */
public final class HtmlReport {
    /** The denied calls listed at most; the page says how many more there were. */
    static final int MAX_DENIED_ROWS = 2000;

    private static final String STYLE = """
            body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
            h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}
            table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
            td.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:12px;word-break:break-all}
            dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:600}dd{margin:0}
            svg text{font:11px system-ui,sans-serif;fill:#333}
            .d-allow{fill:#4c9a5a;background:#4c9a5a}.d-errno{fill:#d08a2c;background:#d08a2c}
            .d-kill{fill:#c0392b;background:#c0392b}.d-interrupted{fill:#8a8a8a;background:#8a8a8a}
            .swatch{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}
            ul.tree,ul.tree ul{list-style:none;padding-left:1.4em}ul.tree li{margin:2px 0}
            .note{color:#555}
            """;

    private HtmlReport() {}

    public static String render(AuditRun run) {
        StringBuilder sb = new StringBuilder(64 * 1024);
        String title = "syscage report" + (run.id() == null ? "" : " " + run.id());
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                        + "style-src 'unsafe-inline'; img-src data:\">\n")
                .append("<title>")
                .append(Html.esc(title))
                .append("</title>\n<style>")
                .append(STYLE)
                .append("</style></head><body>\n<h1>")
                .append(Html.esc(title))
                .append("</h1>\n");
        header(sb, run);
        histogram(sb, DecisionCounts.of(run.calls()));
        timeline(sb, run.calls().stream().filter(c -> c.pid() > 0).toList());
        tree(sb, ProcessTree.of(run.calls()));
        long t0 = run.calls().isEmpty()
                ? 0
                : run.calls().stream().mapToLong(CallRecord::epochNanos).min().getAsLong();
        calls(sb, "denied", "Denied calls", run.denied(), t0);
        if (!run.complained().isEmpty()) {
            calls(
                    sb,
                    "complained",
                    "Calls complain mode let run (the policy would have denied them)",
                    run.complained(),
                    t0);
        }
        return sb.append("</body></html>\n").toString();
    }

    private static void header(StringBuilder sb, AuditRun run) {
        sb.append("<section id=\"run\"><h2>The run</h2><dl>\n");
        field(sb, "run", run.id() == null ? "(no records)" : run.id());
        field(sb, "log", run.source());
        run.end().ifPresent(e -> {
            field(sb, "command", String.join(" ", e.command()));
            field(sb, "policy", e.policy());
            field(sb, "mode", e.mode());
            field(sb, "log level", e.logLevel());
            field(sb, "started", e.started());
            field(sb, "ended", e.ended());
            field(sb, "exit", Integer.toString(e.exit()));
        });
        sb.append("</dl>\n<p id=\"coverage\"");
        run.end()
                .ifPresent(e -> sb.append(" data-calls=\"")
                        .append(e.calls())
                        .append("\" data-recorded=\"")
                        .append(e.recorded())
                        .append("\" data-unrecorded=\"")
                        .append(e.unrecorded())
                        .append('"'));
        sb.append('>').append(Html.esc(run.coverage())).append("</p></section>\n");
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append("<dt>")
                .append(Html.esc(name))
                .append("</dt><dd data-field=\"")
                .append(Html.esc(name))
                .append("\">")
                .append(Html.esc(value))
                .append("</dd>\n");
    }

    private static void histogram(StringBuilder sb, List<DecisionCounts.Row> rows) {
        sb.append("<section id=\"histogram\"><h2>Calls per syscall, by final decision</h2>\n<p>");
        for (String d : DecisionCounts.DECISIONS) {
            sb.append("<span class=\"swatch d-").append(d).append("\"></span>").append(d);
        }
        sb.append("</p>\n");
        if (rows.isEmpty()) {
            sb.append("<p class=\"note\">No call records.</p></section>\n");
            return;
        }
        HistogramChart.render(sb, rows);
        sb.append("<table id=\"histogram-table\"><thead><tr><th>syscall</th>");
        DecisionCounts.DECISIONS.forEach(d -> sb.append("<th>").append(d).append("</th>"));
        sb.append("<th>calls</th></tr></thead><tbody>\n");
        for (DecisionCounts.Row r : rows) {
            sb.append("<tr data-syscall=\"")
                    .append(Html.esc(r.syscall()))
                    .append("\"><td>")
                    .append(Html.esc(r.syscall()))
                    .append("</td>");
            for (String d : DecisionCounts.DECISIONS) {
                sb.append("<td class=\"n\" data-decision=\"")
                        .append(d)
                        .append("\">")
                        .append(r.count(d))
                        .append("</td>");
            }
            sb.append("<td class=\"n\" data-decision=\"total\">")
                    .append(r.total())
                    .append("</td></tr>\n");
        }
        sb.append("</tbody></table></section>\n");
    }

    private static void timeline(StringBuilder sb, List<CallRecord> calls) {
        sb.append("<section id=\"timeline\"><h2>Timeline, per process and thread</h2>\n");
        if (calls.isEmpty()) {
            sb.append("<p class=\"note\">No call records.</p></section>\n");
            return;
        }
        int left = TimelineChart.render(sb, calls);
        if (left > 0) {
            sb.append("<p class=\"note\">").append(left).append(" more threads are not drawn.</p>\n");
        }
        sb.append("</section>\n");
    }

    private static void tree(StringBuilder sb, ProcessTree tree) {
        sb.append("<section id=\"tree\"><h2>Processes</h2>\n<ul class=\"tree\" id=\"process-tree\">\n");
        tree.roots().forEach(p -> process(sb, p));
        sb.append("</ul></section>\n");
    }

    private static void process(StringBuilder sb, ProcessTree.Process p) {
        sb.append("<li data-pid=\"")
                .append(p.pid())
                .append("\" data-ppid=\"")
                .append(p.ppid())
                .append("\">")
                .append("pid ")
                .append(p.pid())
                .append(" <b>")
                .append(Html.esc(p.comm()))
                .append("</b> <code>")
                .append(Html.esc(p.exe()))
                .append("</code> <span class=\"note\">")
                .append(AuditRun.plural(p.calls(), "call"))
                .append(", ")
                .append(p.denied())
                .append(" denied, ")
                .append(p.threads().size())
                .append(p.threads().size() == 1 ? " thread" : " threads")
                .append("</span>");
        if (!p.children().isEmpty()) {
            sb.append("\n<ul>\n");
            p.children().forEach(c -> process(sb, c));
            sb.append("</ul>");
        }
        sb.append("</li>\n");
    }

    /** A table of calls: the denied ones, or the ones complain mode let run, with the rule that decided. */
    private static void calls(StringBuilder sb, String id, String heading, List<CallRecord> denied, long t0) {
        sb.append("<section id=\"")
                .append(id)
                .append("\"><h2>")
                .append(Html.esc(heading))
                .append("</h2>\n");
        if (denied.isEmpty()) {
            sb.append("<p class=\"note\">None.</p></section>\n");
            return;
        }
        sb.append("<table id=\"")
                .append(id)
                .append("-table\"><thead><tr><th>seq</th><th>+s</th><th>pid/tid</th><th>comm</th>"
                        + "<th>call</th><th>outcome</th><th>rule</th><th>paths</th></tr></thead><tbody>\n");
        for (CallRecord c : denied.subList(0, Math.min(MAX_DENIED_ROWS, denied.size()))) {
            sb.append("<tr data-seq=\"")
                    .append(c.seq())
                    .append("\" data-line=\"")
                    .append(c.line())
                    .append("\">");
            cell(sb, "seq", Long.toString(c.seq()));
            cell(sb, "time", Html.seconds(c.epochNanos() - t0));
            cell(sb, "pid", c.pid() + "/" + c.tid());
            cell(sb, "comm", c.comm());
            sb.append("<td data-field=\"call\"><code>")
                    .append(Html.esc(c.callText()))
                    .append("</code></td>");
            String outcome = c.complained() ? "would be " + c.would().outcome() : c.outcome();
            String decision = c.complained() ? c.would().decision() : c.decision();
            sb.append("<td data-field=\"outcome\" class=\"o-")
                    .append(Html.esc(decision))
                    .append("\">")
                    .append(Html.esc(outcome))
                    .append("</td>");
            cell(sb, "rule", c.complained() ? c.would().rule() : c.rule());
            paths(sb, c);
            sb.append("</tr>\n");
        }
        sb.append("</tbody></table>\n");
        if (denied.size() > MAX_DENIED_ROWS) {
            sb.append("<p class=\"note\">The first ")
                    .append(MAX_DENIED_ROWS)
                    .append(" of ")
                    .append(denied.size())
                    .append(" calls.</p>\n");
        }
        sb.append("</section>\n");
    }

    private static void cell(StringBuilder sb, String field, String text) {
        sb.append("<td data-field=\"")
                .append(field)
                .append("\">")
                .append(Html.esc(text))
                .append("</td>");
    }

    /** The paths a record names: as given, resolved, the second one, and where the file really is. */
    private static void paths(StringBuilder sb, CallRecord c) {
        sb.append("<td data-field=\"paths\">");
        String[][] named = {
            {"path", c.path()}, {"resolved", c.resolvedPath()}, {"to", c.resolvedPath2()}, {"real", c.realPath()}
        };
        boolean first = true;
        for (String[] p : named) {
            if (p[1] != null && !(p[0].equals("resolved") && p[1].equals(c.path()))) {
                sb.append(first ? "" : "<br>")
                        .append(p[0])
                        .append(" <code data-path=\"")
                        .append(p[0])
                        .append("\">")
                        .append(Html.esc(p[1]))
                        .append("</code>");
                first = false;
            }
        }
        sb.append("</td>");
    }
}
