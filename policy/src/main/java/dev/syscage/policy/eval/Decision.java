package dev.syscage.policy.eval;

import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.RuleRef;

/** The action a policy takes on one syscall, and which rule (or fallback) decided it. */
public record Decision(Action action, RuleRef rule) {}
