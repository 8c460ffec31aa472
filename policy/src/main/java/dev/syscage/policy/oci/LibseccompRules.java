package dev.syscage.policy.oci;

import dev.syscage.policy.arch.Param;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Cond;
import java.util.ArrayList;
import java.util.List;

/**
 * libseccomp's rule tree for one syscall ({@link LibseccompTree}) as first-match rules: one rule
 * per path from the top of the tree to an action, in the order the generated filter tries them,
 * each the conjunction of the word tests on its path (a false branch negated). A call that
 * follows a path to no action goes on to the next path, as the filter falls through to the next
 * node; so the first rule whose tests hold gives libseccomp's action. Tests are read at the
 * kernel's argument widths with the import's rule (a value zero-extended from its width): the
 * upper word of a 32-bit argument is 0, and its tests become constants.
 */
final class LibseccompRules {
    /** More paths than this is refused as too complex to write out. */
    static final int MAX_PATHS = 256;

    /** A path: the tests that lead to it (TRUE for none) and its action. */
    record Path(Cond when, Action action) {}

    private final Syscall syscall;
    private final boolean is64;
    private final List<Path> out = new ArrayList<>();

    private LibseccompRules(Syscall syscall) {
        this.syscall = syscall;
        this.is64 = syscall.arch().registerBits() == 64;
    }

    /** The paths of the tree, in the filter's order; empty when every call gets the default. */
    static List<Path> of(LibseccompTree tree, Syscall s) throws TooComplexException {
        LibseccompRules r = new LibseccompRules(s);
        Action u = tree.unconditional();
        if (u != null) {
            return List.of(new Path(Cond.TRUE, u));
        }
        if (tree.top() != null) {
            r.level(tree.top(), Cond.TRUE);
        }
        return List.copyOf(r.out);
    }

    private void level(LibseccompNode entry, Cond prefix) throws TooComplexException {
        LibseccompNode n = entry;
        while (n.lvlPrv != null) {
            n = n.lvlPrv;
        }
        for (; n != null; n = n.lvlNxt) {
            Cond t = test(n);
            branch(Cond.and(prefix, t), n.actTFlg ? n.actT : null, n.nxtT);
            branch(Cond.and(prefix, negate(t)), n.actFFlg ? n.actF : null, n.nxtF);
        }
    }

    private void branch(Cond when, Action act, LibseccompNode next) throws TooComplexException {
        if (when.equals(Cond.FALSE)) {
            return;
        }
        if (act != null) {
            if (out.size() == MAX_PATHS) {
                throw new TooComplexException(MAX_PATHS + 1);
            }
            out.add(new Path(when, act));
        } else if (next != null) {
            level(next, when);
        }
    }

    /** The node's test on the value the kernel uses, or a constant where it cannot depend on it. */
    private Cond test(LibseccompNode n) {
        Param p = syscall.param("arg" + n.arg).orElseThrow();
        int w = p.width();
        Cond.Op op = switch (n.op) {
            case EQ, MASKED_EQ -> Cond.Op.EQ;
            case GT -> Cond.Op.GT;
            case GE -> Cond.Op.GE;
            default -> throw new IllegalStateException("node op " + n.op);
        };
        if (n.mask == 0) {
            return constant(op, 0, n.datum); // a MASKED_EQ half without mask bits tests nothing
        }
        if (is64 && n.hi) {
            if (w <= 32) {
                return constant(op, 0, n.datum); // nothing above the argument
            }
            return new Cond.Test(n.arg, 64, n.mask << 32, op, n.datum << 32);
        }
        if (w >= 32) {
            return new Cond.Test(n.arg, w == 64 && is64 ? 64 : 32, n.mask, op, n.datum);
        }
        long wm = Cond.Test.widthMask(w);
        long m = n.mask & wm;
        long most = m; // the largest (x & m) for x below 2^w
        return switch (op) {
            case EQ -> (n.datum & ~m) != 0 ? Cond.FALSE : new Cond.Test(n.arg, w, m, op, n.datum);
            case GT -> Long.compareUnsigned(n.datum, most) >= 0 ? Cond.FALSE : new Cond.Test(n.arg, w, m, op, n.datum);
            default ->
                n.datum == 0
                        ? Cond.TRUE
                        : Long.compareUnsigned(n.datum, most) > 0
                                ? Cond.FALSE
                                : new Cond.Test(n.arg, w, m, op, n.datum);
        };
    }

    private static Cond constant(Cond.Op op, long x, long datum) {
        boolean v = switch (op) {
            case EQ -> x == datum;
            case GT -> Long.compareUnsigned(x, datum) > 0;
            default -> Long.compareUnsigned(x, datum) >= 0;
        };
        return v ? Cond.TRUE : Cond.FALSE;
    }

    /** The test's complement as one test ({@code ==} to {@code !=}, {@code >} to {@code <=}, {@code >=} to {@code <}). */
    static Cond negate(Cond c) {
        if (c instanceof Cond.Test t) {
            Cond.Op inv = switch (t.op()) {
                case EQ -> Cond.Op.NE;
                case NE -> Cond.Op.EQ;
                case GT -> Cond.Op.LE;
                case LE -> Cond.Op.GT;
                case GE -> Cond.Op.LT;
                case LT -> Cond.Op.GE;
                default -> throw new IllegalStateException("op " + t.op());
            };
            return new Cond.Test(t.arg(), t.width(), t.mask(), inv, t.value());
        }
        return Cond.not(c);
    }

    /** {@code family == 40 && (offset & 0xffffffff) > 5}; null for TRUE. */
    static String text(Cond when, String[] argNames) {
        if (when.equals(Cond.TRUE)) {
            return null;
        }
        List<Cond> terms = when instanceof Cond.And a ? a.terms() : List.of(when);
        List<String> parts = new ArrayList<>();
        for (Cond c : terms) {
            Cond.Test t = (Cond.Test) c;
            String name = argNames[t.arg()];
            boolean masked = t.mask() != Cond.Test.widthMask(t.width());
            String operand = masked ? "(" + name + " & 0x" + Long.toHexString(t.mask()) + ")" : name;
            String part = operand + " " + t.op().symbol() + " " + ArgTranslation.number(t.value());
            if (!parts.contains(part)) {
                parts.add(part);
            }
        }
        return String.join(" && ", parts);
    }
}
