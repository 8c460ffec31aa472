package dev.syscage.report;

import java.util.List;

/**
 * The per-syscall histogram as inline SVG, drawn here rather than in the browser: one horizontal
 * bar per syscall, a segment per final decision, longest bar the full width. Every segment of a
 * non-zero count is at least one pixel wide, and carries its syscall, decision and count
 * ({@code data-*}, and a {@code <title>} the browser shows on hover).
 */
final class HistogramChart {
    private static final int LABEL = 160;
    private static final int WIDTH = 640;
    private static final int ROW = 20;
    private static final int BAR = 14;

    private HistogramChart() {}

    static void render(StringBuilder sb, List<DecisionCounts.Row> rows) {
        long max = rows.stream().mapToLong(DecisionCounts.Row::total).max().orElse(1);
        int height = Math.max(ROW, rows.size() * ROW);
        sb.append("<svg id=\"histogram-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(LABEL + WIDTH + 80)
                .append("\" height=\"")
                .append(height)
                .append("\" role=\"img\" aria-label=\"calls per syscall by decision\">\n");
        for (int i = 0; i < rows.size(); i++) {
            row(sb, rows.get(i), i * ROW, (double) WIDTH / max);
        }
        sb.append("</svg>\n");
    }

    private static void row(StringBuilder sb, DecisionCounts.Row r, int y, double scale) {
        String name = Html.esc(r.syscall());
        sb.append("<text x=\"")
                .append(LABEL - 6)
                .append("\" y=\"")
                .append(y + BAR - 2)
                .append("\" text-anchor=\"end\">")
                .append(name)
                .append("</text>\n");
        double x = LABEL;
        for (int d = 0; d < DecisionCounts.DECISIONS.size(); d++) {
            long n = r.counts()[d];
            if (n == 0) {
                continue;
            }
            String decision = DecisionCounts.DECISIONS.get(d);
            double w = Math.max(1, n * scale);
            sb.append(String.format(
                    java.util.Locale.ROOT,
                    "<rect class=\"bar d-%s\" data-syscall=\"%s\" data-decision=\"%s\" data-count=\"%d\" x=\"%.1f\" "
                            + "y=\"%d\" width=\"%.1f\" height=\"%d\"><title>%s: %d %s</title></rect>\n",
                    decision,
                    name,
                    decision,
                    n,
                    x,
                    y + 2,
                    w,
                    BAR,
                    name,
                    n,
                    decision));
            x += w;
        }
        sb.append(String.format(
                java.util.Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%d</text>\n", x + 4, y + BAR - 2, r.total()));
    }
}
