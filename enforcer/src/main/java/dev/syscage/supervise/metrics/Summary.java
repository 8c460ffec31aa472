package dev.syscage.supervise.metrics;

import dev.syscage.supervise.Decision;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A table like {@code strace -c}, printed by {@code --summary} at exit: per syscall the number
 * of events, how many were denied with an errno, how many killed, and how many went away
 * before their answer reached them ({@code intr}: interrupted by a signal, or their thread died),
 * each by its final decision; and the time the decisions took in total and on average
 * (microseconds). Rows are sorted by calls, most first, then by name.
 * <pre>
 *     calls    errors     kills      intr  total usecs  usecs/call syscall
 * --------- --------- --------- --------- ------------ ----------- ----------------
 *         3         1         0         0       45.000      15.000 openat
 * --------- --------- --------- --------- ------------ ----------- ----------------
 *         3         1         0         0       45.000      15.000 total
 * </pre>
 */
public final class Summary {
    private static final String HEADER = "    calls    errors     kills      intr  total usecs  usecs/call syscall";
    private static final String RULE =
            "--------- --------- --------- --------- ------------ ----------- ----------------";

    /** One syscall's line. */
    public record Row(String syscall, long calls, long errors, long kills, long interrupted, long totalNanos) {
        public double avgMicros() {
            return calls == 0 ? 0 : totalNanos / 1000.0 / calls;
        }

        Row plus(Row o) {
            return new Row(
                    syscall,
                    calls + o.calls,
                    errors + o.errors,
                    kills + o.kills,
                    interrupted + o.interrupted,
                    totalNanos + o.totalNanos);
        }
    }

    private final Map<String, long[]> bySyscall = new HashMap<>();

    /** Counts one decided event; {@code syscall} is the event's name. */
    public void add(String syscall, Decision.Kind kind, long latencyNanos) {
        add(syscall, kind, latencyNanos, 1);
    }

    /** Counts {@code count} events decided alike, which took {@code totalNanos} together. */
    public synchronized void add(String syscall, Decision.Kind kind, long totalNanos, long count) {
        long[] a = bySyscall.computeIfAbsent(syscall, k -> new long[5]);
        a[0] += count;
        a[1] += kind == Decision.Kind.ERRNO ? count : 0;
        a[2] += kind == Decision.Kind.KILL ? count : 0;
        a[3] += kind == Decision.Kind.INTERRUPTED ? count : 0;
        a[4] += totalNanos;
    }

    /** The rows, most calls first, ties by name. */
    public synchronized List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        bySyscall.forEach((name, a) -> rows.add(new Row(name, a[0], a[1], a[2], a[3], a[4])));
        rows.sort(Comparator.comparingLong(Row::calls).reversed().thenComparing(Row::syscall));
        return rows;
    }

    /** The table, header to total line, each line ending in a newline. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append(HEADER).append('\n').append(RULE).append('\n');
        Row total = new Row("total", 0, 0, 0, 0, 0);
        for (Row r : rows()) {
            line(sb, r);
            total = total.plus(r);
        }
        sb.append(RULE).append('\n');
        line(sb, total);
        return sb.toString();
    }

    private static void line(StringBuilder sb, Row r) {
        sb.append(String.format(
                Locale.ROOT,
                "%9d %9d %9d %9d %12.3f %11.3f %s\n",
                r.calls(),
                r.errors(),
                r.kills(),
                r.interrupted(),
                r.totalNanos() / 1000.0,
                r.avgMicros(),
                r.syscall()));
    }
}
