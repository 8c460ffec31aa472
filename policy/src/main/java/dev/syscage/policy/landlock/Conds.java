package dev.syscage.policy.landlock;

import dev.syscage.policy.model.Cond;
import java.util.ArrayList;
import java.util.List;

/** And, or and not of resolved conditions, folding the constants so that generated conditions stay small. */
final class Conds {
    private Conds() {
    }

    static Cond and(Cond a, Cond b) {
        if (a.equals(Cond.FALSE) || b.equals(Cond.FALSE)) {
            return Cond.FALSE;
        }
        if (a.equals(Cond.TRUE)) {
            return b;
        }
        if (b.equals(Cond.TRUE)) {
            return a;
        }
        List<Cond> terms = new ArrayList<>();
        for (Cond c : List.of(a, b)) {
            if (c instanceof Cond.And x) {
                terms.addAll(x.terms());
            } else {
                terms.add(c);
            }
        }
        return new Cond.And(terms);
    }

    static Cond or(Cond a, Cond b) {
        if (a.equals(Cond.TRUE) || b.equals(Cond.TRUE)) {
            return Cond.TRUE;
        }
        if (a.equals(Cond.FALSE)) {
            return b;
        }
        if (b.equals(Cond.FALSE)) {
            return a;
        }
        List<Cond> terms = new ArrayList<>();
        for (Cond c : List.of(a, b)) {
            if (c instanceof Cond.Or x) {
                terms.addAll(x.terms());
            } else {
                terms.add(c);
            }
        }
        return new Cond.Or(terms);
    }

    static Cond not(Cond a) {
        if (a instanceof Cond.Const k) {
            return k.value() ? Cond.FALSE : Cond.TRUE;
        }
        return a instanceof Cond.Not n ? n.term() : new Cond.Not(a);
    }

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
            return or(f, off);
        } else if (off.equals(Cond.TRUE)) {
            return or(not(f), on);
        }
        return or(and(f, on), and(not(f), off));
    }
}
