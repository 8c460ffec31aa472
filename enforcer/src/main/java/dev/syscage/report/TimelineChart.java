package dev.syscage.report;

import dev.syscage.auditlog.CallRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The timeline as inline SVG: a lane per thread (in the order each first appears), the run's
 * time from its first record to its last across the width, cut into {@value #BINS} slots. A slot
 * with calls is a mark coloured by its worst decision (kill, errno, interrupted, allow), so that
 * a log of a million calls still makes a page of bounded size; its title says how many calls it
 * holds. At most {@value #MAX_LANES} lanes are drawn; the page says how many were left out.
 */
final class TimelineChart {
    static final int BINS = 200;
    static final int MAX_LANES = 300;
    private static final int LABEL = 220;
    private static final int WIDTH = 800;
    private static final int LANE = 16;
    private static final List<String> WORST_FIRST = List.of("kill", "errno", "interrupted", "allow");

    private TimelineChart() {}

    /** Calls per lane and slot, and the worst decision in each. */
    private static final class Lane {
        final CallRecord first;
        final long[] calls = new long[BINS];
        final int[] worst = new int[BINS];
        long total;

        Lane(CallRecord first) {
            this.first = first;
            java.util.Arrays.fill(worst, Integer.MAX_VALUE);
        }
    }

    /** Draws the lanes; returns how many threads were left out. */
    static int render(StringBuilder sb, List<CallRecord> calls) {
        long t0 = calls.stream().mapToLong(CallRecord::epochNanos).min().orElse(0);
        long t1 = calls.stream().mapToLong(CallRecord::epochNanos).max().orElse(0);
        Map<Integer, Lane> lanes = new LinkedHashMap<>();
        for (CallRecord c : calls) {
            Lane lane = lanes.computeIfAbsent(c.tid(), t -> new Lane(c));
            int bin = (int) Math.min(BINS - 1, (c.epochNanos() - t0) * (double) BINS / Math.max(1, t1 - t0));
            lane.calls[bin]++;
            lane.total++;
            lane.worst[bin] = Math.min(lane.worst[bin], WORST_FIRST.indexOf(c.decision()));
        }
        List<Lane> drawn = new ArrayList<>(lanes.values()).subList(0, Math.min(MAX_LANES, lanes.size()));
        int height = drawn.size() * LANE + 20;
        sb.append("<svg id=\"timeline-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(LABEL + WIDTH + 10)
                .append("\" height=\"")
                .append(height)
                .append("\" role=\"img\" aria-label=\"calls over time per thread\">\n");
        for (int i = 0; i < drawn.size(); i++) {
            lane(sb, drawn.get(i), i * LANE);
        }
        sb.append(String.format(
                java.util.Locale.ROOT,
                "<text class=\"axis\" x=\"%d\" y=\"%d\">+0 s</text>"
                        + "<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"end\">+%s s</text>\n",
                LABEL,
                height - 4,
                LABEL + WIDTH,
                height - 4,
                Html.seconds(t1 - t0)));
        sb.append("</svg>\n");
        return lanes.size() - drawn.size();
    }

    private static void lane(StringBuilder sb, Lane lane, int y) {
        CallRecord c = lane.first;
        sb.append("<g class=\"lane\" data-pid=\"")
                .append(c.pid())
                .append("\" data-tid=\"")
                .append(c.tid())
                .append("\" data-calls=\"")
                .append(lane.total)
                .append("\">");
        sb.append("<text x=\"")
                .append(LABEL - 6)
                .append("\" y=\"")
                .append(y + LANE - 4)
                .append("\" text-anchor=\"end\">")
                .append(c.pid() == c.tid() ? "pid " + c.pid() : "pid " + c.pid() + " tid " + c.tid())
                .append(' ')
                .append(Html.esc(c.comm()))
                .append("</text>");
        double slot = (double) WIDTH / BINS;
        for (int b = 0; b < BINS; b++) {
            if (lane.calls[b] == 0) {
                continue;
            }
            String worst = WORST_FIRST.get(lane.worst[b]);
            sb.append(String.format(
                    java.util.Locale.ROOT,
                    "<rect class=\"tick d-%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
                            + "height=\"%d\" data-calls=\"%d\"><title>%d calls (worst: %s)</title></rect>",
                    worst,
                    LABEL + b * slot,
                    y + 2,
                    Math.max(2, slot),
                    LANE - 4,
                    lane.calls[b],
                    lane.calls[b],
                    worst));
        }
        sb.append("</g>\n");
    }
}
