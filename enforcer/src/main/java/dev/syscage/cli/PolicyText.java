package dev.syscage.cli;

import dev.syscage.policy.arch.Constants;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Policy;

/** How the commands name a policy's actions and syscalls in what they print. */
final class PolicyText {
    private PolicyText() {
    }

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
        return policy.arches().isEmpty() ? null
                : SyscallTable.of(policy.arches().get(0).arch()).byNumber(nr).map(s -> s.name()).orElse(null);
    }
}
