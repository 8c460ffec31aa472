package dev.syscage.run;

import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Policy;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules of a policy that end a call with SIGSYS (kill, kill_thread, trap), as
 * {@code p.yaml:4 trap [mkdir, mkdirat]}: what a run names when the program died of SIGSYS and
 * the kernel log does not say which syscall.
 */
public final class SigsysRules {
    private SigsysRules() {}

    /** At most {@code max} of them, then how many more. */
    public static List<String> of(Policy policy, int max) {
        List<String> out = new ArrayList<>();
        List<Policy.RuleSummary> rules = policy.rules().stream()
                .filter(r -> r.action().kind() == Action.Kind.TRAP
                        || r.action().kind() == Action.Kind.KILL_PROCESS
                        || r.action().kind() == Action.Kind.KILL_THREAD)
                .toList();
        for (Policy.RuleSummary r : rules.subList(0, Math.min(max, rules.size()))) {
            out.add((r.pos() == null ? "rule #" + (r.index() + 1) : r.pos().fileLine()) + " "
                    + r.action().kind().word() + " [" + String.join(", ", r.syscalls()) + "]");
        }
        if (rules.size() > max) {
            out.add("and " + (rules.size() - max) + " more");
        }
        return out;
    }
}
