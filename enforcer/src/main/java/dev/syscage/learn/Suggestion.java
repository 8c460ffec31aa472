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
 * denied, as {@code DIR/*}). Rules are first-match, so both go before the policy's own.
 */
public final class Suggestion {
    /** A directory with this many denied files is allowed as {@code DIR/*}. */
    static final int FILES_FOR_A_DIRECTORY = 3;

    private Suggestion() {
    }

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
                listed.put(name, ProfileWriter.calls(n) + "; denied by " + String.join(", ",
                        part.rules().getOrDefault(name, new TreeSet<>())));
            }
        });
        return ProfileWriter.allowRules(conditioned, part.counts(), listed, arch);
    }

    /** The supervise rules, as {@code supervise: rules:} items at four spaces; empty when they denied nothing. */
    public static String superviseRules(DeniedCalls.Part supervisor) {
        StringBuilder sb = new StringBuilder();
        supervisor.counts().forEach((name, n) -> {
            SortedSet<String> paths = supervisor.paths().getOrDefault(name, new TreeSet<>());
            sb.append("    - syscalls: [").append(name).append("]   # ").append(ProfileWriter.calls(n))
                    .append("; denied by ").append(String.join(", ", supervisor.rules().getOrDefault(name, new TreeSet<>())))
                    .append('\n');
            List<String> patterns = patterns(paths);
            if (!paths.contains("") && !patterns.isEmpty()) {
                sb.append("      path: [").append(String.join(", ", patterns.stream().map(PolicyYamlWriter::quote).toList()))
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
                byDir.computeIfAbsent(slash <= 0 ? "/" : p.substring(0, slash), k -> new ArrayList<>()).add(p);
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
}
