package dev.syscage.policy.validate;

import dev.syscage.policy.arch.SyscallIndex;
import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.group.GroupTable;
import dev.syscage.policy.input.InputLimits;
import dev.syscage.policy.load.LoadedFile;
import dev.syscage.policy.parse.Suggestions;
import dev.syscage.policy.parse.YamlNode.Scalar;
import java.util.List;

/**
 * What one item of a {@code syscalls:} list stands for, the same in rules and supervise rules:
 * a syscall name of one of the policy's architectures, or a group. A name only other
 * architectures have is a warning; a name no table has is an error with "did you mean".
 */
final class SyscallNames {
    private static final java.util.regex.Pattern SEVERAL = java.util.regex.Pattern.compile("[\\s,]");

    private final SyscallIndex index;
    private final GroupTable groups;
    private final Diagnostics diags;
    /** Syscall names the items so far stand for, groups expanded. */
    private int named;

    SyscallNames(SyscallIndex index, GroupTable groups, Diagnostics diags) {
        this.index = index;
        this.groups = groups;
        this.diags = diags;
    }

    /**
     * The syscall names {@code item}, written in {@code file}, stands for; empty (and reported) if
     * none, or once the items read so far stand for more than {@link InputLimits#MAX_RULE_SYSCALLS}
     * names together (reported once, at the item that crossed it).
     */
    List<String> of(Scalar item, LoadedFile file) {
        if (named > InputLimits.MAX_RULE_SYSCALLS) {
            return List.of();
        }
        List<String> out = resolve(item, file);
        named += out.size();
        if (named > InputLimits.MAX_RULE_SYSCALLS) {
            diags.error(
                    item.pos(),
                    "the rules name more than " + InputLimits.MAX_RULE_SYSCALLS + " syscalls by here,"
                            + " counting each name of each group once per rule: the limit for one policy");
            return List.of();
        }
        return out;
    }

    private List<String> resolve(Scalar item, LoadedFile file) {
        String name = item.text();
        if (name.startsWith("@")) {
            return groups.resolve(name.substring(1), file, item.pos()).orElse(List.of());
        }
        if (index.onPolicyArches(name)) {
            return List.of(name);
        }
        if (index.known(name)) {
            diags.warning(item.pos(), "syscall '" + name + "' does not exist on " + index.archPhrase());
        } else if (SEVERAL.matcher(name).find()) {
            diags.error(item.pos(), "'" + name + "' is not one syscall name; list them as [a, b]");
        } else {
            diags.error(
                    item.pos(), () -> "unknown syscall '" + name + "'" + Suggestions.hint(name, groups.candidates()));
        }
        return List.of();
    }
}
