package dev.syscage.report;

import dev.syscage.auditlog.CallRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The histogram: for each syscall the supervisor decided, how many calls had each final
 * decision. Rows are sorted by calls, most first, then by name (as {@code --summary} sorts).
 */
public final class DecisionCounts {
    /** The decisions, in the order the report shows them. */
    public static final List<String> DECISIONS = List.of("allow", "errno", "kill", "interrupted");

    /** One syscall's counts, one per {@link #DECISIONS} entry. */
    public record Row(String syscall, long[] counts) {
        public long total() {
            long t = 0;
            for (long c : counts) {
                t += c;
            }
            return t;
        }

        public long count(String decision) {
            return counts[DECISIONS.indexOf(decision)];
        }
    }

    private DecisionCounts() {}

    /** The rows for {@code calls} (Landlock's denials are not the supervisor's and are left out). */
    public static List<Row> of(List<CallRecord> calls) {
        Map<String, long[]> by = new HashMap<>();
        for (CallRecord c : calls) {
            if (!c.landlock()) {
                by.computeIfAbsent(c.syscall(), k -> new long[DECISIONS.size()])[DECISIONS.indexOf(c.decision())]++;
            }
        }
        List<Row> rows = new ArrayList<>();
        by.forEach((name, counts) -> rows.add(new Row(name, counts)));
        rows.sort(Comparator.comparingLong(Row::total).reversed().thenComparing(Row::syscall));
        return rows;
    }
}
