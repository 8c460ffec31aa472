package dev.syscage.learn;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.yaml.PolicyYamlWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What {@code syscage suggest} proposes for the calls of a log a policy denied
 * ({@link DeniedCalls}): for those the filter denied, allow rules as {@code learn} writes them
 * ({@link ProfileWriter#allowRules}: with {@code --args}-style conditions for socket, ioctl and
 * prctl, from the values seen); for those the supervise rules denied, a supervise rule per
 * syscall allowing the paths the calls named (a directory where three or more files of it were
 * denied, as {@code DIR/*}). Rules are first-match, so both go before the policy's own. For what
 * the {@code filesystem:} section denied ({@link DeniedCalls.FsPart}), {@code filesystem: allow:}
 * rules, grouped and worded as {@code learn} writes its own ({@link FsGrouping}).
 */
public final class Suggestion {
    /** A directory with this many denied files is allowed as {@code DIR/*}. */
    static final int FILES_FOR_A_DIRECTORY = 3;

    /** What each kind of file-system record says, for the comments. */
    private static final Map<String, String> FS_KINDS = Map.of(
            "landlock", "Landlock denied (source: landlock)",
            "filesystem", "the filesystem: section would have denied (complain mode, by: filesystem)");

    private static final int COMMENT_COLUMN = 40;

    private Suggestion() {}

    /**
     * The filter's allow rules, as {@code rules:} items at two spaces, in two groups: {@code first}
     * for the syscalls a rule of the policy denied (they must come before it), {@code last} for
     * those only its {@code default} (or {@code unknown}, {@code bad_arch}) denied, which can come
     * after every rule, so that no rule of the policy loses a call it decides now. Either may be
     * empty. Syscalls this machine's table does not know go to {@code unknown}.
     */
    public record Rules(String first, String last) {
        public boolean isEmpty() {
            return first.isEmpty() && last.isEmpty();
        }
    }

    public static Rules rules(DeniedCalls.Part filter, Arch arch, boolean withArgs, List<String> unknown) {
        SyscallTable table = SyscallTable.of(arch);
        DeniedCalls.Part byRule = new DeniedCalls.Part();
        DeniedCalls.Part byDefault = new DeniedCalls.Part();
        filter.counts().forEach((name, n) -> {
            if (table.byName(name).isEmpty()) {
                unknown.add(name);
            } else {
                boolean fallbackOnly = filter.rules().getOrDefault(name, new TreeSet<>()).stream()
                        .allMatch(r -> r.startsWith("default") || r.startsWith("unknown") || r.startsWith("bad_arch"));
                (fallbackOnly ? byDefault : byRule).copyFrom(filter, name);
            }
        });
        return new Rules(allowRules(byRule, arch, withArgs), allowRules(byDefault, arch, withArgs));
    }

    private static String allowRules(DeniedCalls.Part part, Arch arch, boolean withArgs) {
        SortedMap<String, SortedSet<Long>> conditioned = new TreeMap<>();
        SortedMap<String, String> listed = new TreeMap<>();
        part.counts().forEach((name, n) -> {
            if (withArgs && part.argValues().containsKey(name)) {
                conditioned.put(name, part.argValues().get(name));
            } else {
                listed.put(
                        name,
                        ProfileWriter.calls(n) + "; denied by "
                                + String.join(", ", part.rules().getOrDefault(name, new TreeSet<>())));
            }
        });
        return ProfileWriter.allowRules(conditioned, part.counts(), listed, arch);
    }

    /** The supervise rules, as {@code supervise: rules:} items at four spaces; empty when they denied nothing. */
    public static String superviseRules(DeniedCalls.Part supervisor) {
        StringBuilder sb = new StringBuilder();
        supervisor.counts().forEach((name, n) -> {
            SortedSet<String> paths = supervisor.paths().getOrDefault(name, new TreeSet<>());
            sb.append("    - syscalls: [")
                    .append(name)
                    .append("]   # ")
                    .append(ProfileWriter.calls(n))
                    .append("; denied by ")
                    .append(String.join(", ", supervisor.rules().getOrDefault(name, new TreeSet<>())))
                    .append('\n');
            List<String> patterns = patterns(paths);
            if (!paths.contains("") && !patterns.isEmpty()) {
                sb.append("      path: [")
                        .append(String.join(
                                ", ",
                                patterns.stream().map(PolicyYamlWriter::quote).toList()))
                        .append("]\n");
            }
            sb.append("      decision: allow\n");
        });
        return sb.toString();
    }

    /**
     * The patterns for the denied paths: each path as itself (wildcards escaped), but a directory
     * with {@link #FILES_FOR_A_DIRECTORY} or more of them as {@code DIR/*}.
     */
    static List<String> patterns(SortedSet<String> paths) {
        Map<String, List<String>> byDir = new TreeMap<>();
        for (String p : paths) {
            if (!p.isEmpty()) {
                int slash = p.lastIndexOf('/');
                byDir.computeIfAbsent(slash <= 0 ? "/" : p.substring(0, slash), k -> new ArrayList<>())
                        .add(p);
            }
        }
        List<String> out = new ArrayList<>();
        byDir.forEach((dir, files) -> {
            if (files.size() >= FILES_FOR_A_DIRECTORY) {
                out.add(escape(dir.equals("/") ? "" : dir) + "/*");
            } else {
                files.forEach(f -> out.add(escape(f)));
            }
        });
        return out;
    }

    /** A path as a pattern that matches only it: {@code * ? [ ] \} made literal. */
    static String escape(String path) {
        return path.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }

    /**
     * The {@code filesystem: allow:} rules, as items at four spaces, for each kind of record a
     * comment with its calls, then the rules {@link FsGrouping} makes of the paths (a directory
     * for the files written in it, a system tree as a whole, only paths there now, {@code optional}
     * under /tmp and home), each path with the accesses it covers; empty when none was denied.
     * Only the rights in {@code handled} are granted (a policy's {@code confine} set: a rule for
     * a right the ruleset does not handle is refused; {@code FsAccess.ALL} for every right).
     */
    public static String filesystemRules(DeniedCalls.FsPart fs, FsGrouping.Places places, long handled) {
        StringBuilder sb = new StringBuilder();
        fs.footprints().forEach((kind, seen) -> {
            sb.append("    # ")
                    .append(ProfileWriter.calls(fs.calls().get(kind)))
                    .append(' ')
                    .append(FS_KINDS.get(kind))
                    .append('\n');
            FsGrouping.Grouped grouped = FsGrouping.group(seen, places);
            grouped.rules().stream()
                    .filter(r -> (r.access() & handled) != 0)
                    .forEach(r -> fsRule(sb, r, r.access() & handled, kind));
            grouped.leftOut()
                    .forEach(l -> sb.append("    # Left out: ")
                            .append(l)
                            .append("; add a rule by hand if the program needs it.\n"));
        });
        return sb.toString();
    }

    private static void fsRule(StringBuilder sb, FsGrouping.Rule r, long access, String kind) {
        sb.append("    - paths:\n");
        for (FsGrouping.Covered c : r.paths()) {
            String line = "        - " + FsSection.yamlPath(c.path());
            sb.append(line)
                    .append(" ".repeat(Math.max(1, COMMENT_COLUMN - line.length())))
                    .append("# ")
                    .append(c.accesses())
                    .append(c.accesses() == 1 ? " access" : " accesses")
                    .append(c.paths() > 1 ? " to " + c.paths() + " paths" : "")
                    .append("; ")
                    .append(kind)
                    .append('\n');
        }
        sb.append("      access: [")
                .append(String.join(", ", FsGrouping.words(access)))
                .append("]\n");
        if (r.optional()) {
            sb.append("      optional: true\n");
        }
    }
}
