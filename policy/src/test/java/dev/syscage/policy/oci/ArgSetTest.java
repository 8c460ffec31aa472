package dev.syscage.policy.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.RuleRef;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Randomised checks of the exporter's exact algebra against direct evaluation: the pattern set
 * of a test, intersections, disjunctive normal form, and the entries of a clause list read the
 * way libseccomp reads them (first unconditional entry wins, else the one matching action).
 */
class ArgSetTest {
    private static final Cond.Op[] OPS = Cond.Op.values();
    private static final int[] WIDTHS = {16, 32, 64};

    @Test
    void aTestsPatternSetHoldsExactlyTheValuesTheTestAccepts() {
        Random r = new Random(1);
        for (int i = 0; i < 3000; i++) {
            Cond.Test t = test(r, 0);
            ArgSet s = ArgSet.of(t);
            for (long x : probes(r, t)) {
                assertEquals(t.eval(x), s.contains(x), () -> t + " at 0x" + Long.toHexString(x) + ": " + s);
            }
        }
    }

    @Test
    void rangesOnA32BitArgumentNeedFewPatterns() {
        assertEquals(
                3,
                ArgSet.of(new Cond.Test(0, 32, -1L, Cond.Op.LT, 38)).patterns().size());
        assertEquals(
                List.of(new Pattern(0xffffffffL, 39)),
                ArgSet.of(new Cond.Test(0, 32, -1L, Cond.Op.EQ, 39)).patterns());
        assertTrue(ArgSet.of(new Cond.Test(0, 32, -1L, Cond.Op.LE, 0xffffffffL)).isAll());
        assertTrue(ArgSet.of(new Cond.Test(0, 32, 0xf0, Cond.Op.EQ, 0x0f)).isEmpty());
    }

    @Test
    void intersectionsAreExact() {
        Random r = new Random(2);
        for (int i = 0; i < 2000; i++) {
            Cond.Test a = test(r, 0);
            Cond.Test b = test(r, 0);
            ArgSet s = ArgSet.of(a).intersect(ArgSet.of(b), 100_000);
            List<Long> xs = new ArrayList<>(probes(r, a));
            xs.addAll(probes(r, b));
            for (long x : xs) {
                assertEquals(
                        a.eval(x) && b.eval(x), s.contains(x), () -> a + " && " + b + " at 0x" + Long.toHexString(x));
            }
        }
    }

    @Test
    void disjunctiveNormalFormMeansTheCondition() {
        Random r = new Random(3);
        for (int i = 0; i < 1500; i++) {
            Cond c = cond(r, 3);
            List<List<Cond.Test>> dnf = Dnf.of(c, 100_000);
            for (int k = 0; k < 40; k++) {
                long[] args = args(r, c);
                boolean viaDnf = dnf.stream().anyMatch(conj -> conj.stream().allMatch(t -> t.eval(args[t.arg()])));
                assertEquals(Cond.eval(c, args), viaDnf, c::toString);
            }
        }
    }

    @Test
    void generatedEntriesDecideAsFirstMatchRulesDo() throws Exception {
        Random r = new Random(4);
        Action[] actions = {Action.ALLOW, Action.errno(13), Action.KILL, Action.LOG};
        int checked = 0;
        for (int i = 0; i < 600; i++) {
            List<Clause> clauses = new ArrayList<>();
            int n = 1 + r.nextInt(4);
            for (int k = 0; k < n; k++) {
                Cond when = r.nextInt(6) == 0 ? Cond.TRUE : cond(r, 2);
                clauses.add(new Clause(when, actions[r.nextInt(actions.length)], RuleRef.rule(k, null)));
            }
            Action def = actions[r.nextInt(actions.length)];
            List<Cond.Test> all = new ArrayList<>();
            clauses.forEach(c -> collect(c.when(), all));
            boolean narrow = all.stream().allMatch(t -> t.width() <= 32);
            int bits = narrow && r.nextBoolean() ? 32 : 64;
            List<EntryGenerator.Generated> entries;
            try {
                entries = EntryGenerator.generate(clauses, def, bits, 4096);
            } catch (EntryGenerator.Unexpressible e) {
                continue;
            }
            for (int k = 0; k < 60; k++) {
                long[] args = new long[6];
                for (Clause c : clauses) {
                    long[] a = args(r, c.when());
                    args[r.nextInt(3)] = a[r.nextInt(3)];
                }
                if (bits == 32) {
                    for (int j = 0; j < 6; j++) {
                        args[j] &= 0xffffffffL;
                    }
                }
                assertEquals(firstMatch(clauses, def, args), libseccomp(entries, def, args, bits), clauses::toString);
                checked++;
            }
        }
        assertTrue(checked > 20_000, "only " + checked + " checks");
    }

    private static Action firstMatch(List<Clause> clauses, Action def, long[] args) {
        for (Clause c : clauses) {
            if (Cond.eval(c.when(), args)) {
                return c.action();
            }
        }
        return def;
    }

    /** The entries as libseccomp treats them; fails if two actions could match one call. */
    private static Action libseccomp(List<EntryGenerator.Generated> entries, Action def, long[] args, int bits) {
        for (EntryGenerator.Generated g : entries) {
            if (g.args().isEmpty()) {
                return g.action();
            }
        }
        Set<Action> matched = new LinkedHashSet<>();
        for (EntryGenerator.Generated g : entries) {
            if (g.args().stream().allMatch(a -> matches(a, args[a.index()], bits))) {
                matched.add(g.action());
            }
        }
        assertTrue(matched.size() <= 1, "entries with different actions overlap: " + matched);
        return matched.isEmpty() ? def : matched.iterator().next();
    }

    private static boolean matches(OciProfile.Arg a, long x, int bits) {
        long reg = Cond.Test.widthMask(bits);
        long v = a.value() & reg;
        x &= reg;
        return switch (a.op()) {
            case EQ -> x == v;
            case NE -> x != v;
            case LT -> Long.compareUnsigned(x, v) < 0;
            case LE -> Long.compareUnsigned(x, v) <= 0;
            case GT -> Long.compareUnsigned(x, v) > 0;
            case GE -> Long.compareUnsigned(x, v) >= 0;
            case MASKED_EQ -> (x & v) == (a.valueTwo() & v);
        };
    }

    private static Cond cond(Random r, int depth) {
        int k = depth == 0 ? 0 : r.nextInt(5);
        return switch (k) {
            case 1 -> new Cond.And(List.of(cond(r, depth - 1), cond(r, depth - 1)));
            case 2 -> new Cond.Or(List.of(cond(r, depth - 1), cond(r, depth - 1)));
            case 3 -> new Cond.Not(cond(r, depth - 1));
            default -> test(r, r.nextInt(3));
        };
    }

    private static Cond.Test test(Random r, int arg) {
        int width = WIDTHS[r.nextInt(WIDTHS.length)];
        long wm = Cond.Test.widthMask(width);
        long mask = switch (r.nextInt(4)) {
            case 0 -> -1L;
            case 1 -> 1L << r.nextInt(width);
            case 2 -> r.nextLong() & r.nextLong();
            default -> 0xff00L | (1L << r.nextInt(64));
        };
        long value = switch (r.nextInt(4)) {
            case 0 -> r.nextInt(64);
            case 1 -> 0;
            case 2 -> wm;
            default -> r.nextLong() & mask;
        };
        return new Cond.Test(arg, width, mask, OPS[r.nextInt(OPS.length)], value);
    }

    /** Values around the test's constant, with and without garbage above its width, plus random ones. */
    private static List<Long> probes(Random r, Cond.Test t) {
        List<Long> xs = new ArrayList<>(List.of(
                0L,
                1L,
                -1L,
                t.value(),
                t.value() + 1,
                t.value() - 1,
                t.mask(),
                ~t.mask(),
                0xffffffffL,
                0x100000000L,
                0x8000L,
                0x80000000L));
        for (int i = 0; i < 12; i++) {
            xs.add(r.nextLong());
            xs.add(t.value() ^ (1L << r.nextInt(64)));
            xs.add(t.value() | (r.nextLong() << 32));
        }
        return xs;
    }

    /** Six arguments, those the condition tests taken from its constants (nudged) or random. */
    private static long[] args(Random r, Cond c) {
        List<Cond.Test> tests = new ArrayList<>();
        collect(c, tests);
        long[] a = new long[6];
        for (int i = 0; i < 6; i++) {
            a[i] = r.nextInt(4) == 0 ? r.nextLong() : r.nextInt(3);
        }
        for (Cond.Test t : tests) {
            if (r.nextBoolean()) {
                long base = r.nextBoolean() ? t.value() : t.mask() & t.value();
                a[t.arg()] = base + (r.nextInt(3) - 1) ^ (r.nextBoolean() ? 0 : r.nextLong() << 48);
            }
        }
        return a;
    }

    private static void collect(Cond c, List<Cond.Test> out) {
        if (c instanceof Cond.Test t) {
            out.add(t);
        } else if (c instanceof Cond.Not n) {
            collect(n.term(), out);
        } else if (c instanceof Cond.And a) {
            a.terms().forEach(x -> collect(x, out));
        } else if (c instanceof Cond.Or o) {
            o.terms().forEach(x -> collect(x, out));
        }
    }
}
