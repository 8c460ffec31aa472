package dev.syscage.policy.model;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.path.PathPattern;
import java.util.List;
import java.util.Optional;

/**
 * One rule of a policy's {@code supervise:} section, resolved: which syscalls it covers on each
 * architecture (with its {@code when} resolved per syscall), the path patterns the call's
 * resolved path must match (empty: any call, with or without a path), and the decision.
 *
 * @param index    0-based position in the flattened supervise rule list (including files' rules)
 * @param pos      where the rule starts
 * @param names    the {@code syscalls:} items as written (names and "@group" references)
 * @param syscalls the covered syscalls per architecture, each with its condition
 * @param paths    the {@code path:} patterns; a call matches if one of them matches
 * @param when     the condition as written, or null
 * @param decision what the supervisor does when the rule matches
 */
public record SuperviseRule(
        int index,
        SourcePos pos,
        List<String> names,
        SyscallSet syscalls,
        List<PathPattern> paths,
        String when,
        SuperviseDecision decision) {

    public SuperviseRule {
        names = List.copyOf(names);
        paths = List.copyOf(paths);
    }

    /**
     * Whether the rule decides this call: it names the syscall, its condition holds for
     * {@code args}, and, if it has path patterns, the call has a resolved path that one of them
     * matches (a rule with patterns never matches a call without a path).
     */
    public boolean matches(Arch arch, int nr, long[] args, Optional<String> resolvedPath) {
        Cond c = syscalls.condition(arch, nr);
        if (c == null || (c != Cond.TRUE && !Cond.eval(c, args))) {
            return false;
        }
        if (paths.isEmpty()) {
            return true;
        }
        if (resolvedPath.isEmpty()) {
            return false;
        }
        String path = resolvedPath.get();
        for (PathPattern p : paths) {
            if (p.matches(path)) {
                return true;
            }
        }
        return false;
    }

    /** {@code supervise rule #2 (web.yaml:14)}. */
    public String describe() {
        return "supervise rule #" + (index + 1) + (pos == null ? "" : " (" + pos.fileLine() + ")");
    }
}
