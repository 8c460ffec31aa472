package dev.syscage.policy.oci;

import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.Cond.Test;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Conditions as a union of conjunctions of tests (disjunctive normal form), negations pushed
 * into the tests. OCI can only say "any of these entries, each all of its comparisons", so the
 * exporter needs this form. Conjunctions no argument value can satisfy are dropped on the way,
 * which keeps the products of negated rules small.
 */
final class Dnf {
    private Dnf() {}

    /** {@code c} as conjunctions; throws {@link TooComplexException} past {@code limit} of them. */
    static List<List<Test>> of(Cond c, int limit) {
        return dnf(c, false, limit);
    }

    /** The test that holds exactly when {@code t} does not (same argument, width and mask). */
    static Test negate(Test t) {
        Cond.Op op = switch (t.op()) {
            case EQ -> Cond.Op.NE;
            case NE -> Cond.Op.EQ;
            case LT -> Cond.Op.GE;
            case GE -> Cond.Op.LT;
            case LE -> Cond.Op.GT;
            case GT -> Cond.Op.LE;
            case ANY_BITS -> Cond.Op.EQ;
        };
        long value = t.op() == Cond.Op.ANY_BITS ? 0 : t.value();
        return new Test(t.arg(), t.width(), t.mask(), op, value);
    }

    /**
     * For each argument a conjunction tests, the set of its values all those tests accept; empty
     * when some argument has no such value.
     */
    static Optional<Map<Integer, ArgSet>> argSets(List<Test> conj, int limit) {
        Map<Integer, ArgSet> sets = new TreeMap<>();
        for (Test t : conj) {
            ArgSet s = sets.getOrDefault(t.arg(), ArgSet.ALL).intersect(ArgSet.of(t), limit);
            if (s.isEmpty()) {
                return Optional.empty();
            }
            sets.put(t.arg(), s);
        }
        return Optional.of(sets);
    }

    /** Whether some six arguments satisfy every test of {@code conj}. */
    static boolean satisfiable(List<Test> conj, int limit) {
        return argSets(conj, limit).isPresent();
    }

    private static List<List<Test>> dnf(Cond c, boolean negated, int limit) {
        if (c instanceof Cond.Const k) {
            return k.value() != negated ? List.of(List.of()) : List.of();
        }
        if (c instanceof Test t) {
            return List.of(List.of(negated ? negate(t) : t));
        }
        if (c instanceof Cond.Not n) {
            return dnf(n.term(), !negated, limit);
        }
        List<Cond> terms = c instanceof Cond.And a ? a.terms() : ((Cond.Or) c).terms();
        boolean product = (c instanceof Cond.And) != negated;
        List<List<Test>> result = product ? List.of(List.of()) : new ArrayList<>();
        for (Cond term : terms) {
            List<List<Test>> d = dnf(term, negated, limit);
            if (product) {
                result = product(result, d, limit);
            } else {
                result = new ArrayList<>(result);
                result.addAll(d);
            }
            if (result.size() > limit) {
                throw new TooComplexException(result.size());
            }
        }
        return minimal(result);
    }

    private static List<List<Test>> product(List<List<Test>> a, List<List<Test>> b, int limit) {
        List<List<Test>> out = new ArrayList<>();
        for (List<Test> x : a) {
            for (List<Test> y : b) {
                Set<Test> merged = new LinkedHashSet<>(x);
                merged.addAll(y);
                List<Test> conj = List.copyOf(merged);
                if (satisfiable(conj, limit)) {
                    out.add(conj);
                    if (out.size() > limit) {
                        throw new TooComplexException(out.size());
                    }
                }
            }
        }
        return out;
    }

    /** Drops repeated conjunctions and those that contain all the tests of another (they add nothing). */
    private static List<List<Test>> minimal(List<List<Test>> in) {
        List<Set<Test>> sets = new ArrayList<>();
        for (List<Test> c : in) {
            Set<Test> s = new HashSet<>(c);
            if (!sets.contains(s)) {
                sets.add(s);
            }
        }
        List<List<Test>> out = new ArrayList<>();
        for (int i = 0; i < sets.size(); i++) {
            boolean redundant = false;
            for (int j = 0; j < sets.size() && !redundant; j++) {
                redundant = j != i && sets.get(i).containsAll(sets.get(j));
            }
            if (!redundant) {
                out.add(orderedLike(in, sets.get(i)));
            }
        }
        return out;
    }

    /** The first conjunction of {@code in} with exactly the tests of {@code s}, in its own order. */
    private static List<Test> orderedLike(List<List<Test>> in, Set<Test> s) {
        for (List<Test> c : in) {
            if (new HashSet<>(c).equals(s)) {
                return List.copyOf(new LinkedHashSet<>(c));
            }
        }
        throw new IllegalStateException("conjunction vanished");
    }
}
