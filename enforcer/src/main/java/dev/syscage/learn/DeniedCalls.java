package dev.syscage.learn;

import dev.syscage.auditlog.AuditLogReader;
import dev.syscage.auditlog.CallRecord;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The calls an audit log ({@link AuditLogReader}) says a policy denied:
 * records with decision {@code errno} or {@code kill} (an enforcing run: the supervise rules
 * denied them), and records with a {@code would} (a complain run: the filter or the supervise
 * rules would have). Each is counted by syscall name, in two parts: the ones the seccomp filter
 * denied, which an allow rule fixes, and the ones the supervise rules denied, which a supervise
 * rule fixes (with the paths they named). For the {@link ArgRule} syscalls the argument values are
 * kept, for conditions. Left out and counted: the launcher's own calls before the program starts
 * (as {@code learn} leaves them out), Landlock denials and complaints of the {@code filesystem:}
 * section (widening that section is not a syscall rule), calls
 * interrupted before their answer, and syscalls without a name.
 */
public final class DeniedCalls {
    /** One part: calls by syscall, the ArgRule values seen, the resolved paths named (\"\" for a call that named none), the rules that denied. */
    public record Part(SortedMap<String, Long> counts, Map<String, SortedSet<Long>> argValues,
            Map<String, SortedSet<String>> paths, Map<String, SortedSet<String>> rules) {
        public Part() {
            this(new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
        }

        /** {@code syscall}'s entries of {@code other} into this part. */
        void copyFrom(Part other, String syscall) {
            counts.put(syscall, other.counts.get(syscall));
            if (other.argValues.containsKey(syscall)) {
                argValues.put(syscall, other.argValues.get(syscall));
            }
            if (other.paths.containsKey(syscall)) {
                paths.put(syscall, other.paths.get(syscall));
            }
            if (other.rules.containsKey(syscall)) {
                rules.put(syscall, other.rules.get(syscall));
            }
        }

        public boolean isEmpty() {
            return counts.isEmpty();
        }

        void add(String syscall, long[] args, String path, String rule) {
            counts.merge(syscall, 1L, Long::sum);
            ArgRule.forSyscall(syscall).ifPresent(r ->
                    argValues.computeIfAbsent(syscall, k -> new TreeSet<>()).add(r.value(args)));
            paths.computeIfAbsent(syscall, k -> new TreeSet<>()).add(path == null ? "" : path); // "": named none
            if (rule != null) {
                rules.computeIfAbsent(syscall, k -> new TreeSet<>()).add(rule);
            }
        }
    }

    private static final Set<String> LAUNCHERS = Set.of("syscage-launch");

    private final Part filter = new Part();
    private final Part supervisor = new Part();
    private final Map<String, Long> skipped = new TreeMap<>();
    private long records;

    public Part filter() {
        return filter;
    }

    public Part supervisor() {
        return supervisor;
    }

    /** Records left out, by why ("launcher", "landlock", "filesystem", "interrupted", "unnamed syscall"). */
    public Map<String, Long> skipped() {
        return skipped;
    }

    public long records() {
        return records;
    }

    /** The denied calls of a log's call records, given one at a time ({@link AuditLogReader#forEach}). */
    public void add(CallRecord r) {
        records++;
        CallRecord.Would would = r.would();
        if (r.landlock()) {
            skip("landlock");
        } else if (r.decision().equals("interrupted")) {
            skip("interrupted");
        } else if (would == null && r.decision().equals("allow")) {
            return;
        } else if (r.exe() != null && LAUNCHERS.contains(baseName(r.exe()))) {
            skip("launcher");
        } else if (would != null && would.by().equals("filesystem")) {
            skip("filesystem");
        } else if (r.syscall().startsWith("syscall_")) {
            skip("unnamed syscall");
        } else {
            boolean byFilter = would != null && would.by().equals("filter");
            String rule = would != null ? would.rule() : r.rule();
            (byFilter ? filter : supervisor).add(r.syscall(), r.registers(), r.resolvedPath(), rule);
        }
    }

    private void skip(String why) {
        skipped.merge(why, 1L, Long::sum);
    }

    private static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
