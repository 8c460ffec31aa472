package dev.syscage.supervise.decode;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The argument kinds that a syscall table's parameter names and C types do not tell, read from
 * the resource {@code argkinds.tsv} ({@code syscall<TAB>argname<TAB>kind[:detail]}). Kept as
 * data so that teaching the decoder a new argument is a line, not code. A line applies on each
 * architecture whose syscall has the named parameter.
 */
final class ArgKindTable {
    static final String RESOURCE = "argkinds.tsv";

    /** One line: the kind of {@code syscall}'s parameter {@code arg}. */
    record Override(String syscall, String arg, ArgKind kind, String detail, String where) {}

    private final List<Override> lines;
    private final Map<String, Map<String, Override>> bySyscall = new HashMap<>();

    private ArgKindTable(List<Override> lines) {
        this.lines = List.copyOf(lines);
        for (Override o : lines) {
            Override before =
                    bySyscall.computeIfAbsent(o.syscall(), k -> new HashMap<>()).put(o.arg(), o);
            if (before != null) {
                throw new IllegalStateException(
                        o.where() + ": " + o.syscall() + " " + o.arg() + " is already given at " + before.where());
            }
        }
    }

    private static volatile ArgKindTable instance;

    static ArgKindTable get() {
        ArgKindTable t = instance;
        if (t == null) {
            t = new ArgKindTable(TsvResource.read(RESOURCE, 3).stream()
                    .map(ArgKindTable::parse)
                    .toList());
            instance = t;
        }
        return t;
    }

    List<Override> lines() {
        return lines;
    }

    /** The override for one parameter, or null. */
    Override find(String syscall, String arg) {
        Map<String, Override> m = bySyscall.get(syscall);
        return m == null ? null : m.get(arg);
    }

    /** The overrides of one syscall, by parameter name. */
    Map<String, Override> of(String syscall) {
        return bySyscall.getOrDefault(syscall, Map.of());
    }

    private static Override parse(TsvResource.Line line) {
        String spec = line.field(2);
        int colon = spec.indexOf(':');
        String word = colon < 0 ? spec : spec.substring(0, colon);
        String detail = colon < 0 ? null : spec.substring(colon + 1).strip();
        ArgKind kind = ArgKind.byWord(word)
                .orElseThrow(() -> new IllegalStateException(
                        line.where() + ": unknown kind '" + word + "' (kinds: " + words() + ")"));
        if (kind.detail() == ArgKind.Detail.NONE && detail != null) {
            throw new IllegalStateException(line.where() + ": kind " + word + " takes no detail");
        }
        if (kind.detail() != ArgKind.Detail.NONE && (detail == null || detail.isEmpty())) {
            throw new IllegalStateException(line.where() + ": kind " + word + " needs a detail: " + word
                    + (kind.detail() == ArgKind.Detail.ARG ? ":ARGNAME" : ":SET"));
        }
        return new Override(line.field(0), line.field(1), kind, detail, line.where());
    }

    private static String words() {
        StringBuilder sb = new StringBuilder();
        for (ArgKind k : ArgKind.values()) {
            sb.append(sb.length() == 0 ? "" : " ").append(k.word());
        }
        return sb.toString();
    }
}
