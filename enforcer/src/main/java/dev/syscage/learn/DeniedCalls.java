package dev.syscage.learn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The calls an audit log (JSON Lines, docs/audit-record.schema.json) says a policy denied:
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

    /** A line of the log that is not an audit record: where, and why. */
    public static final class BadRecord extends Exception {
        public BadRecord(String where, String why) {
            super(where + ": " + why);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
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

    /** Reads every record of {@code in}; {@code name} is the file's name for errors ({@code log.jsonl:12}). */
    public static DeniedCalls read(BufferedReader in, String name) throws IOException, BadRecord {
        DeniedCalls d = new DeniedCalls();
        String line;
        for (int n = 1; (line = in.readLine()) != null; n++) {
            if (!line.isBlank()) {
                d.add(parse(line, name + ":" + n), name + ":" + n);
            }
        }
        return d;
    }

    private static JsonNode parse(String line, String where) throws BadRecord {
        try {
            JsonNode r = JSON.readTree(line);
            if (r == null || !r.isObject()) {
                throw new BadRecord(where, "not a JSON object (an audit log is one JSON record a line: run --log FILE)");
            }
            return r;
        } catch (IOException e) {
            throw new BadRecord(where, "not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private void add(JsonNode r, String where) throws BadRecord {
        if ("end".equals(r.path("record").asText())) {
            return; // the run's closing record: no call
        }
        records++;
        String syscall = text(r, "syscall", where);
        String decision = text(r, "decision", where);
        JsonNode would = r.path("would");
        boolean complained = would.isObject();
        if ("landlock".equals(r.path("source").asText())) {
            skip("landlock");
        } else if (decision.equals("interrupted")) {
            skip("interrupted");
        } else if (!complained && decision.equals("allow")) {
            return;
        } else if (LAUNCHERS.contains(baseName(r.path("exe").asText("")))) {
            skip("launcher");
        } else if (complained && "filesystem".equals(would.path("by").asText())) {
            skip("filesystem");
        } else if (syscall.startsWith("syscall_")) {
            skip("unnamed syscall");
        } else {
            boolean byFilter = complained && "filter".equals(would.path("by").asText());
            String rule = complained ? would.path("rule").asText(null) : r.path("rule").asText(null);
            String path = r.path("resolved_path").isTextual() ? r.get("resolved_path").asText() : null;
            (byFilter ? filter : supervisor).add(syscall, args(r, where), path, rule);
        }
    }

    private void skip(String why) {
        skipped.merge(why, 1L, Long::sum);
    }

    private static String text(JsonNode r, String field, String where) throws BadRecord {
        JsonNode v = r.get(field);
        if (v == null || !v.isTextual()) {
            throw new BadRecord(where, "no '" + field + "' string: not an audit record (docs/audit-record.schema.json)");
        }
        return v.asText();
    }

    /** The raw registers, in order (the record's {@code args[].value}, hex strings in version 2, numbers before). */
    private static long[] args(JsonNode r, String where) throws BadRecord {
        long[] regs = new long[6];
        JsonNode args = r.path("args");
        for (int i = 0; i < Math.min(6, args.size()); i++) {
            JsonNode v = args.get(i).path("value");
            try {
                regs[i] = v.isTextual() ? Long.parseUnsignedLong(v.asText().replaceFirst("^0x", ""),
                        v.asText().startsWith("0x") ? 16 : 10) : v.asLong();
            } catch (NumberFormatException e) {
                throw new BadRecord(where, "args[" + i + "].value '" + v.asText() + "' is not a number");
            }
        }
        return regs;
    }

    private static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
