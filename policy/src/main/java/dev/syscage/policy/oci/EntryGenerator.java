package dev.syscage.policy.oci;

import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.Cond.Test;
import dev.syscage.policy.model.RuleRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Writes the clauses of one syscall on one architecture as OCI entries that mean the same for
 * every argument value. First-match-wins becomes disjoint sets: clause {@code i} takes the
 * calls that match it and no earlier clause with another action; calls left over take the
 * default, which needs no entry (runtimes skip entries with the default action anyway). Since
 * entries with different actions never match the same call, the order libseccomp gives them
 * does not matter. Each set is put in disjunctive normal form, one entry per conjunction, with
 * at most one comparison per argument (runc and crun OR comparisons that share an argument).
 * A test that is not one plain 64-bit comparison (narrower arguments, masks, "any of these
 * bits", negations) becomes a union of {@code SCMP_CMP_MASKED_EQ} patterns from {@link ArgSet},
 * which also makes garbage above a 32-bit argument behave as the kernel ignores it.
 */
final class EntryGenerator {
    private static final Set<Cond.Op> PLAIN =
            EnumSet.of(Cond.Op.EQ, Cond.Op.NE, Cond.Op.LT, Cond.Op.LE, Cond.Op.GT, Cond.Op.GE);

    /** One OCI entry for the syscall and the rule it comes from. */
    record Generated(Action action, List<OciProfile.Arg> args, RuleRef origin) {
        Generated {
            args = List.copyOf(args);
        }
    }

    /** A clause whose calls cannot be written within the limit. */
    static final class Unexpressible extends Exception {
        private final RuleRef rule;

        Unexpressible(RuleRef rule, String reason) {
            super(reason, null, false, false);
            this.rule = rule;
        }

        RuleRef rule() {
            return rule;
        }
    }

    private EntryGenerator() {}

    static List<Generated> generate(List<Clause> clauses, Action defaultAction, int registerBits, int limit)
            throws Unexpressible {
        List<Generated> out = new ArrayList<>();
        List<Clause> earlier = new ArrayList<>();
        for (Clause c : clauses) {
            if (!c.action().equals(defaultAction)) {
                List<Cond> terms = new ArrayList<>(List.of(c.when()));
                earlier.stream()
                        .filter(e -> !e.action().equals(c.action()))
                        .forEach(e -> terms.add(new Cond.Not(e.when())));
                try {
                    for (List<Test> conj : Dnf.of(new Cond.And(terms), limit)) {
                        for (List<OciProfile.Arg> args : entries(conj, registerBits, limit)) {
                            out.add(new Generated(c.action(), args, c.rule()));
                        }
                        if (out.size() > limit) {
                            throw new TooComplexException(out.size());
                        }
                    }
                } catch (TooComplexException e) {
                    throw new Unexpressible(
                            c.rule(),
                            "its calls need more than " + limit + " OCI entries (ExportOptions.maxEntriesPerSyscall)");
                }
            }
            earlier.add(c);
            if (c.unconditional()) {
                break;
            }
        }
        return dedupe(out);
    }

    /** The entries (comparison lists) whose union is the conjunction. */
    private static List<List<OciProfile.Arg>> entries(List<Test> conj, int registerBits, int limit) {
        Map<Integer, ArgSet> sets = Dnf.argSets(conj, limit).orElse(null);
        if (sets == null) {
            return List.of();
        }
        List<List<OciProfile.Arg>> product = new ArrayList<>(List.of(List.of()));
        for (Map.Entry<Integer, ArgSet> e : sets.entrySet()) {
            List<OciProfile.Arg> alternatives = alternatives(e.getKey(), conj, e.getValue(), registerBits);
            if (alternatives.isEmpty()) {
                continue;
            }
            if ((long) product.size() * alternatives.size() > limit) {
                throw new TooComplexException((long) product.size() * alternatives.size());
            }
            List<List<OciProfile.Arg>> next = new ArrayList<>();
            for (List<OciProfile.Arg> p : product) {
                for (OciProfile.Arg a : alternatives) {
                    List<OciProfile.Arg> q = new ArrayList<>(p);
                    q.add(a);
                    next.add(q);
                }
            }
            product = next;
        }
        return product;
    }

    /** Comparisons on one argument, any of which selects the set; none when it is every value. */
    private static List<OciProfile.Arg> alternatives(int arg, List<Test> conj, ArgSet set, int registerBits) {
        if (set.isAll()) {
            return List.of();
        }
        List<Test> tests = conj.stream().filter(t -> t.arg() == arg).toList();
        Optional<Test> plain = tests.size() == 1 ? Optional.of(tests.get(0)) : Optional.empty();
        if (plain.isPresent() && isPlain(plain.get(), registerBits)) {
            Test t = plain.get();
            return List.of(new OciProfile.Arg(arg, t.value(), 0, OciProfile.Op.valueOf(t.op().name())));
        }
        long full = Cond.Test.widthMask(registerBits);
        List<OciProfile.Arg> out = new ArrayList<>();
        for (Pattern p : set.patterns()) {
            out.add(
                    p.mask() == full
                            ? new OciProfile.Arg(arg, p.value(), 0, OciProfile.Op.EQ)
                            : new OciProfile.Arg(arg, p.mask(), p.value(), OciProfile.Op.MASKED_EQ));
        }
        return out;
    }

    /** A test libseccomp evaluates the same way as one comparison: full register width, no mask. */
    private static boolean isPlain(Test t, int registerBits) {
        return (t.width() == 64 || t.width() == registerBits)
                && t.mask() == Cond.Test.widthMask(t.width())
                && PLAIN.contains(t.op());
    }

    private static List<Generated> dedupe(List<Generated> in) {
        Set<String> seen = new LinkedHashSet<>();
        List<Generated> out = new ArrayList<>();
        for (Generated g : in) {
            if (seen.add(g.action() + " " + g.args())) {
                out.add(g);
            }
        }
        out.sort(Comparator.comparingInt((Generated g) -> g.origin().index()));
        return out;
    }
}
