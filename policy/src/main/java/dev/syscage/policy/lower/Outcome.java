package dev.syscage.policy.lower;

import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Cond;
import java.util.ArrayList;
import java.util.List;

/**
 * What a policy does with one syscall number, with the rule positions stripped so that numbers
 * deciding alike compare equal: either a fixed action, or a chain of (condition, action) tests
 * ending in a fallback action. Clauses after an unconditional one are dropped, and so are
 * trailing clauses whose action equals the fallback.
 */
public record Outcome(List<Step> steps, Action fallback) {

    /** One test of the chain: if {@code when} holds, {@code action}. */
    public record Step(Cond when, Action action) {}

    public Outcome {
        steps = List.copyOf(steps);
    }

    public static Outcome fixed(Action action) {
        return new Outcome(List.of(), action);
    }

    public static Outcome of(List<Clause> clauses, Action fallback) {
        List<Step> steps = new ArrayList<>();
        Action end = fallback;
        for (Clause c : clauses) {
            if (c.when() instanceof Cond.Const k) {
                if (k.value()) {
                    end = c.action();
                    break;
                }
                continue;
            }
            steps.add(new Step(c.when(), c.action()));
        }
        while (!steps.isEmpty() && steps.get(steps.size() - 1).action().equals(end)) {
            steps.remove(steps.size() - 1);
        }
        return new Outcome(steps, end);
    }

    /** True when the action does not depend on the arguments. */
    public boolean isFixed() {
        return steps.isEmpty();
    }
}
