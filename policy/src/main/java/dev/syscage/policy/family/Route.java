package dev.syscage.policy.family;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.RuleRef;
import java.util.Set;

/**
 * One sibling sent to the supervisor because a rule sends a member of its family there: on
 * {@code arch}, {@code rule} sends {@code member} with {@code action}, so {@code sibling}'s calls
 * that the filter would have let through get {@code action} too. {@code dropped} names the
 * parameters of the rule's {@code when} the sibling lacks; when it is not empty the condition
 * was dropped and the sibling is routed for every argument the filter lets through.
 */
public record Route(
        Arch arch, String family, String member, String sibling, RuleRef rule, Action action, Set<String> dropped) {

    public Route {
        dropped = Set.copyOf(dropped);
    }

    public boolean conditionKept() {
        return dropped.isEmpty();
    }

    /** {@code openat2 on x86_64: notify, as rule #1 (p.yaml:5) sends openat (family open); condition dropped: no 'flags'}. */
    public String describe() {
        String cond = dropped.isEmpty()
                ? ""
                : "; condition dropped: no "
                        + String.join(
                                ", ",
                                dropped.stream()
                                        .sorted()
                                        .map(d -> "'" + d + "'")
                                        .toList());
        RuleRef plain = new RuleRef(rule.kind(), rule.index(), rule.pos());
        return sibling + " on " + arch + ": " + action + ", as " + plain.describe() + " sends " + member + " (family "
                + family + ")" + cond;
    }
}
