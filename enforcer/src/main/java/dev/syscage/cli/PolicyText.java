package dev.syscage.cli;

import dev.syscage.policy.arch.Constants;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.Disassembler;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.isolate.Isolation;
import dev.syscage.policy.isolate.IsolationText;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.RulesetText;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Policy;

/** How the commands show a policy: its actions, its syscalls' names, its program. */
final class PolicyText {
    private PolicyText() {}

    /** The action as the policy writes it, with the errno's name ({@code errno 1 (EPERM)}). */
    static String describe(Action a) {
        if (a.kind() == Action.Kind.ERRNO) {
            String n = Constants.errnoName(a.value());
            return n == null ? a.toString() : a + " (" + n + ")";
        }
        return a.toString();
    }

    /** The name of syscall {@code nr} on the policy's first architecture; null when it has none. */
    static String syscallName(Policy policy, int nr) {
        return policy.arches().isEmpty()
                ? null
                : SyscallTable.of(policy.arches().get(0).arch())
                        .byNumber(nr)
                        .map(s -> s.name())
                        .orElse(null);
    }

    /**
     * A policy's program, readable: the Landlock ruleset and the isolate section first, as
     * {@code ;} comment lines (no part of the program: a reader sees them, a tool skips them).
     */
    static String disassembly(Policy policy, Program program) {
        return landlockComments(policy.landlock())
                + isolationComments(policy.isolation())
                + Disassembler.disassemble(program, nr -> syscallName(policy, nr));
    }

    /** The ruleset as {@code ; } lines, one per line of {@link RulesetText#describe}; nothing for none. */
    private static String landlockComments(LandlockRuleset ruleset) {
        if (ruleset.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        RulesetText.describe(ruleset).forEach(l -> sb.append("; ").append(l).append('\n'));
        return sb.toString();
    }

    /** The isolate section as {@code ; } lines, one per line of {@link IsolationText#describe}; nothing for none. */
    private static String isolationComments(Isolation isolation) {
        if (isolation.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        IsolationText.describe(isolation).forEach(l -> sb.append("; ").append(l).append('\n'));
        return sb.toString();
    }
}
