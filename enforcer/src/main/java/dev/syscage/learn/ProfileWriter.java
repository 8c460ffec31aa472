package dev.syscage.learn;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.yaml.PolicyYamlWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * Writes a learned profile: {@code default: errno EPERM}, then (with {@code --args}) one allow
 * rule with a {@code when} per {@link ArgRule} syscall, then one unconditional allow rule listing
 * every other syscall seen, sorted, each with its call count as a comment. Rules are first-match,
 * so a syscall with an argument rule is kept out of the unconditional list, where it would allow
 * every value. The essentials are always in the list, seen or not. After the rules, the Landlock
 * sections ({@link FsSection}): the file-system rules grouped from the footprint, and the scopes.
 */
public final class ProfileWriter {
    /** Syscalls a profile must allow for any program to start and end: never dropped. */
    public static final List<String> ESSENTIALS =
            List.of("execve", "exit", "exit_group", "restart_syscall", "rt_sigreturn");

    /**
     * What to write around the observations. {@code merge} is empty without {@code --merge};
     * {@code places} is what the file-system grouping asks of the machine.
     */
    public record Options(
            String name,
            String description,
            boolean withArgs,
            Optional<MergeBase> merge,
            Arch arch,
            FsGrouping.Places places) {}

    /** Options on this machine. */
    public static Options options(String name, String description, boolean withArgs, Optional<MergeBase> merge) {
        return new Options(name, description, withArgs, merge, Arch.nativeArch(), FsGrouping.Places.ofThisMachine());
    }

    /** The text, the syscall names seen that the native table does not know (left out), and the file-system rules. */
    public record Written(String yaml, List<String> unknown, FsGrouping.Grouped files) {}

    private ProfileWriter() {}

    public static Written write(Observations seen, Options o) {
        SyscallTable table = SyscallTable.of(o.arch());
        SortedMap<String, String> listed = new TreeMap<>(); // name -> comment
        SortedMap<String, SortedSet<Long>> conditioned = new TreeMap<>();
        List<String> unknown = new ArrayList<>();
        seen.counts().forEach((name, n) -> {
            if (table.byName(name).isEmpty()) {
                unknown.add(name);
            } else if (o.withArgs()
                    && seen.argValues().containsKey(name)
                    && o.merge().map(m -> !m.allowed().contains(name)).orElse(true)) {
                conditioned.put(name, seen.argValues().get(name));
            } else {
                listed.put(name, calls(n));
            }
        });
        o.merge().ifPresent(m -> m.allowed().forEach(name -> listed.putIfAbsent(name, "from " + m.source())));
        for (String e : ESSENTIALS) {
            listed.putIfAbsent(e, "not seen; essential");
        }
        StringBuilder sb = new StringBuilder();
        header(sb, seen, o);
        sb.append(allowRules(conditioned, seen.counts(), listed, o.arch()));
        FsGrouping.Grouped files = FsGrouping.group(seen.footprint(), o.places());
        sb.append(FsSection.write(seen.footprint(), files, o.merge()));
        return new Written(sb.toString(), List.copyOf(unknown), files);
    }

    /**
     * Allow rules, as a block list's items at two spaces: one per syscall of {@code conditioned}
     * with its {@link ArgRule} condition on the values seen (its call count from {@code counts}),
     * then one unconditional rule listing {@code listed}, sorted, each with its comment. Empty
     * when both are.
     */
    public static String allowRules(
            SortedMap<String, SortedSet<Long>> conditioned,
            Map<String, Long> counts,
            SortedMap<String, String> listed,
            Arch arch) {
        StringBuilder sb = new StringBuilder();
        for (var e : conditioned.entrySet()) {
            sb.append("  - action: allow\n    syscalls: [")
                    .append(e.getKey())
                    .append("]\n")
                    .append("    when: ")
                    .append(PolicyYamlWriter.quote(
                            ArgRule.forSyscall(e.getKey()).orElseThrow().condition(arch, e.getValue())))
                    .append("\n    comment: ")
                    .append(calls(counts.get(e.getKey())))
                    .append(", only these values\n");
        }
        if (listed.isEmpty()) {
            return sb.toString();
        }
        sb.append("  - action: allow\n    syscalls:\n");
        int width = listed.keySet().stream().mapToInt(String::length).max().orElse(0);
        listed.forEach((name, comment) -> sb.append("      - ")
                .append(name)
                .append(" ".repeat(width - name.length()))
                .append("  # ")
                .append(comment)
                .append('\n'));
        return sb.toString();
    }

    private static void header(StringBuilder sb, Observations seen, Options o) {
        List<String> comments = new ArrayList<>(List.of(
                "Learned by 'syscage learn': " + seen.counts().size() + " distinct syscalls (" + seen.totalCalls()
                        + " calls) and " + seen.distinctPaths() + " distinct paths.",
                "Every syscall the program made is allowed; any other fails with EPERM."));
        o.merge()
                .ifPresent(m -> comments.add("Widened with the unconditionally allowed syscalls of " + m.source()
                        + " (its conditional rules and default are not carried over)."));
        PolicyYamlWriter.header(sb, comments, o.name(), o.description());
        sb.append("default: errno EPERM\n");
        sb.append("rules:\n");
    }

    static String calls(long n) {
        return n + (n == 1 ? " call" : " calls");
    }
}
