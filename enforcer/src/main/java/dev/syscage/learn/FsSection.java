package dev.syscage.learn;

import dev.syscage.learn.FsGrouping.Covered;
import dev.syscage.learn.FsGrouping.Rule;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.LandlockRuleset.PathRule;
import dev.syscage.policy.landlock.Scope;
import dev.syscage.policy.yaml.PolicyYamlWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Writes the Landlock part of a learned profile: {@code landlock: best-effort} (a kernel with an
 * older Landlock enforces what it can, with a warning), the {@code filesystem:} rules
 * {@link FsGrouping} made, each path with the accesses it covers, the rules carried over from a
 * {@code --merge} profile, and {@code scope: [signal, abstract-unix-socket]} less what the
 * program was seen to need outside its own tree.
 */
final class FsSection {
    private static final Pattern PLAIN = Pattern.compile("/[A-Za-z0-9/._+=@,-]*");
    private static final int COMMENT_COLUMN = 40;

    private FsSection() {}

    /** The text, after the rules of the profile; {@code merge} as given to the writer. */
    static String write(Footprint seen, FsGrouping.Grouped grouped, Optional<MergeBase> merge) {
        StringBuilder sb = new StringBuilder();
        long paths = seen.touches().size();
        sb.append("# Files: what the program read, wrote and executed, grouped by directory (docs/learn.md): ")
                .append(accesses(seen.accesses()))
                .append(" to ")
                .append(paths)
                .append(paths == 1 ? " path" : " paths")
                .append(".\n# Landlock denies every other path to the program and its children.\n");
        sb.append("landlock: best-effort\n");
        sb.append("filesystem:\n");
        List<Rule> carried = merge.map(m -> carried(m.landlock())).orElse(List.of());
        if (grouped.rules().isEmpty() && carried.isEmpty()) {
            sb.append("  confine: all                          # the program opened no file: none may be\n");
        } else {
            sb.append("  allow:\n");
            grouped.rules().forEach(r -> rule(sb, r, ""));
            merge.ifPresent(m -> carried.forEach(r -> rule(sb, r, "from " + m.source())));
        }
        for (String l : grouped.leftOut()) {
            sb.append("# Left out: ").append(l).append("; add a rule by hand if the program needs it.\n");
        }
        scope(sb, seen, merge);
        return sb.toString();
    }

    private static void rule(StringBuilder sb, Rule r, String from) {
        sb.append("    - paths:\n");
        for (Covered c : r.paths()) {
            String line = "        - " + yamlPath(c.path());
            String note = from.isEmpty() ? covered(c) : from;
            sb.append(line)
                    .append(" ".repeat(Math.max(1, COMMENT_COLUMN - line.length())))
                    .append("# ")
                    .append(note)
                    .append('\n');
        }
        sb.append("      access: [")
                .append(String.join(", ", FsGrouping.words(r.access())))
                .append("]\n");
        if (r.optional()) {
            sb.append("      optional: true                    # under /tmp or home: may not be there next time\n");
        }
    }

    private static String covered(Covered c) {
        String s = accesses(c.accesses()) + (c.paths() > 1 ? " to " + c.paths() + " paths" : "");
        return c.note().isEmpty() ? s : s + "; " + c.note();
    }

    /** A --merge profile's path rules, joined as learned ones are (same rights and optional: one rule). */
    private static List<Rule> carried(LandlockRuleset base) {
        Map<String, List<Covered>> byKey = new LinkedHashMap<>();
        Map<String, PathRule> first = new LinkedHashMap<>();
        for (PathRule p : base.paths()) {
            String key = p.access() + "/" + p.optional();
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(new Covered(p.path(), 0, 0, ""));
            first.putIfAbsent(key, p);
        }
        List<Rule> out = new ArrayList<>();
        byKey.forEach((k, cs) ->
                out.add(new Rule(cs, first.get(k).access(), first.get(k).optional())));
        return out;
    }

    /**
     * Both scopes, less one the program was seen to need; with {@code --merge}, also less one the
     * existing profile does not scope, when it has Landlock sections at all.
     */
    private static void scope(StringBuilder sb, Footprint seen, Optional<MergeBase> merge) {
        long scopes = Scope.ALL;
        List<String> why = new ArrayList<>();
        if (seen.signalsOutside()) {
            scopes &= ~Scope.SIGNAL;
            why.add("it signalled a process outside its own tree");
        }
        if (seen.abstractOutside()) {
            scopes &= ~Scope.ABSTRACT_UNIX_SOCKET;
            why.add("it reached an abstract UNIX socket it did not bind");
        }
        if (merge.isPresent() && !merge.get().landlock().isEmpty()) {
            long base = merge.get().landlock().scoped();
            if ((scopes & ~base) != 0) {
                why.add(merge.get().source() + " does not scope " + String.join(", ", words(scopes & ~base)));
            }
            scopes &= base;
        }
        if (!why.isEmpty()) {
            sb.append("# Not scoped: ").append(String.join("; ", why)).append(".\n");
        }
        if (scopes != 0) {
            String line = "scope: [" + String.join(", ", words(scopes)) + "]";
            sb.append(line)
                    .append(" ".repeat(Math.max(1, COMMENT_COLUMN - line.length())))
                    .append("# no signals to, no abstract-socket connects to, processes outside\n");
        }
    }

    private static List<String> words(long scopes) {
        List<String> out = new ArrayList<>();
        if ((scopes & Scope.SIGNAL) != 0) {
            out.add("signal");
        }
        if ((scopes & Scope.ABSTRACT_UNIX_SOCKET) != 0) {
            out.add("abstract-unix-socket");
        }
        return out;
    }

    /** Plain when YAML reads it as written, else double-quoted. */
    static String yamlPath(String path) {
        return PLAIN.matcher(path).matches() ? path : PolicyYamlWriter.quote(path);
    }

    private static String accesses(long n) {
        return n + (n == 1 ? " access" : " accesses");
    }
}
