package dev.syscage.policy.lint;

import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.RuleRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What one syscall on one architecture can end in, over all argument values: the clauses that
 * may match, in rule order, up to the first without a condition, else the default. A
 * conditional clause counts as reachable even if no argument satisfies it, so "always" answers
 * are exact and "sometimes" answers may over-report; lints are built so that this errs towards
 * a warning, never towards a wrong error.
 */
record Reach(String syscall, List<Step> steps) {

    /** One possible outcome: the action, who decides it, and whether arguments choose it. */
    record Step(Action action, RuleRef rule, boolean conditional) {}

    Reach {
        steps = List.copyOf(steps);
    }

    /** The reach of {@code name} on {@code ap}'s arch, or empty when that arch has no such syscall. */
    static Optional<Reach> of(ArchPolicy ap, String name) {
        Optional<Syscall> s = ap.table().byName(name);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        List<Step> steps = new ArrayList<>();
        for (Clause c : ap.clausesFor(s.get().nr())) {
            if (c.when() instanceof Cond.Const k && !k.value()) {
                continue;
            }
            steps.add(new Step(c.action(), c.rule(), !c.unconditional()));
            if (c.unconditional()) {
                return Optional.of(new Reach(name, steps));
            }
        }
        steps.add(new Step(ap.defaultAction(), ap.defaultRef(), false));
        return Optional.of(new Reach(name, steps));
    }

    /** The call goes ahead in the kernel: allow, log. */
    static boolean runs(Action a) {
        return a.kind() == Action.Kind.ALLOW || a.kind() == Action.Kind.LOG;
    }

    /** The call is refused by the filter itself: errno, kill, kill_thread, trap. */
    static boolean denies(Action a) {
        return switch (a.kind()) {
            case ERRNO, KILL_PROCESS, KILL_THREAD, TRAP -> true;
            default -> false;
        };
    }

    boolean always(Predicate<Action> p) {
        return steps.stream().allMatch(s -> p.test(s.action()));
    }

    boolean sometimes(Predicate<Action> p) {
        return steps.stream().anyMatch(s -> p.test(s.action()));
    }

    /** The first step whose action satisfies {@code p}. */
    Optional<Step> first(Predicate<Action> p) {
        return steps.stream().filter(s -> p.test(s.action())).findFirst();
    }

    /** The step every argument vector that no condition catches ends in. */
    Step last() {
        return steps.get(steps.size() - 1);
    }

    boolean hasConditions() {
        return steps.stream().anyMatch(Step::conditional);
    }
}
