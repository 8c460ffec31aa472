package dev.syscage.policy.lint;

import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.parse.YamlNode.Scalar;
import java.util.List;
import java.util.Optional;

/**
 * Warns about supervise rules that can never run: the supervisor only sees a syscall when the
 * filter's action for it is {@code trace} or {@code notify}, so a supervise rule for a syscall
 * that no rule (and no default) sends there, on any architecture and for any arguments, is
 * dead. Conditions are not solved: a clause counts as reachable unless an earlier clause for
 * the same syscall has no condition, so the warning is only given when it is certain. Run while
 * a policy is loaded, since it speaks of the supervise section's list items.
 */
public final class SupervisorReach {
    private SupervisorReach() {}

    /** One item of a supervise rule's {@code syscalls:} and the syscall names it stands for. */
    public record Item(Scalar item, List<String> names) {}

    public static void check(List<Item> items, List<ArchPolicy> arches, Diagnostics diags) {
        for (Item item : items) {
            if (item.names().isEmpty() || item.names().stream().anyMatch(n -> reachesSupervisor(n, arches))) {
                continue;
            }
            String text = item.item().text();
            String message = text.startsWith("@")
                    ? "supervise rule for '" + text
                            + "' never runs: no rule sends any of its syscalls to the supervisor"
                    : "supervise rule for '" + text + "' never runs: no rule sends " + text + " to the supervisor";
            diags.warning(item.item().pos(), message + " (action trace or notify)");
        }
    }

    /** Whether, on some architecture, some call of {@code name} can get {@code trace} or {@code notify}. */
    static boolean reachesSupervisor(String name, List<ArchPolicy> arches) {
        for (ArchPolicy ap : arches) {
            Optional<Syscall> s = SyscallTable.of(ap.arch()).byName(name);
            if (s.isPresent() && reachesSupervisor(ap, s.get().nr())) {
                return true;
            }
        }
        return false;
    }

    private static boolean reachesSupervisor(ArchPolicy ap, int nr) {
        for (Clause c : ap.clausesFor(nr)) {
            if (sendsToSupervisor(c.action())) {
                return true;
            }
            if (c.unconditional()) {
                return false;
            }
        }
        return sendsToSupervisor(ap.defaultAction());
    }

    private static boolean sendsToSupervisor(Action a) {
        return a.kind() == Action.Kind.TRACE || a.kind() == Action.Kind.NOTIFY;
    }
}
