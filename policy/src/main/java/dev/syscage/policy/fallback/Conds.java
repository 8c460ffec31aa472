package dev.syscage.policy.fallback;

import dev.syscage.policy.model.Cond;
import java.util.List;

/** Conditions built over features for the fallback's decisions ({@link Cond#and}, {@link Cond#or} and {@link Cond#not} fold the constants). */
final class Conds {
    private Conds() {}

    /**
     * The condition under which {@code outcome[assignment]} is {@code target}, where bit i of an
     * assignment says whether {@code features[i]} holds: a decision over the features, one at a
     * time (Shannon's expansion), that leaves out every feature the outcome does not depend on
     * there. Assignments that cannot happen (two file types at once) are harmless: each
     * possible one still gets its own outcome.
     */
    static Cond select(List<Cond> features, Object[] outcome, Object target) {
        return select(features, outcome, target, 0, 0);
    }

    private static Cond select(List<Cond> features, Object[] outcome, Object target, int i, int fixed) {
        int low = (1 << i) - 1;
        boolean all = true;
        boolean none = true;
        for (int a = 0; a < outcome.length; a++) {
            if ((a & low) == fixed) {
                boolean hit = java.util.Objects.equals(outcome[a], target);
                all &= hit;
                none &= !hit;
            }
        }
        if (all || none) {
            return all ? Cond.TRUE : Cond.FALSE;
        }
        Cond on = select(features, outcome, target, i + 1, fixed | (1 << i));
        Cond off = select(features, outcome, target, i + 1, fixed);
        Cond f = features.get(i);
        if (on.equals(off)) {
            return on;
        } else if (on.equals(Cond.TRUE)) {
            return Cond.or(f, off);
        } else if (off.equals(Cond.TRUE)) {
            return Cond.or(Cond.not(f), on);
        }
        return Cond.or(Cond.and(f, on), Cond.and(Cond.not(f), off));
    }
}
