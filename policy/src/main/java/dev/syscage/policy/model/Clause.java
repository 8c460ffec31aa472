package dev.syscage.policy.model;

/**
 * One rule as it applies to one syscall on one arch: if {@code when} holds, {@code action} is
 * taken; otherwise the next clause is tried. {@code rule} says where it came from.
 */
public record Clause(Cond when, Action action, RuleRef rule) {

    public boolean unconditional() {
        return when instanceof Cond.Const c && c.value();
    }
}
