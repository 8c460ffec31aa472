package dev.syscage.policy.model;

import java.util.List;

/**
 * A resolved {@code when} condition: argument names are indices, constants are numbers, and each
 * test knows how many bits of its argument the kernel looks at. This is what the compiler lowers
 * and what the reference evaluator interprets.
 */
public sealed interface Cond permits Cond.Or, Cond.And, Cond.Not, Cond.Test, Cond.Const {

    Cond TRUE = new Const(true);
    Cond FALSE = new Const(false);

    /** {@code a && b}, the constants folded and nested ands flattened, so built conditions stay small. */
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
        List<Cond> terms = new java.util.ArrayList<>();
        for (Cond c : List.of(a, b)) {
            if (c instanceof Cond.And x) {
                terms.addAll(x.terms());
            } else {
                terms.add(c);
            }
        }
        return new Cond.And(terms);
    }

    /** {@code a || b}, the constants folded and nested ors flattened. */
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
        List<Cond> terms = new java.util.ArrayList<>();
        for (Cond c : List.of(a, b)) {
            if (c instanceof Cond.Or x) {
                terms.addAll(x.terms());
            } else {
                terms.add(c);
            }
        }
        return new Cond.Or(terms);
    }

    /** {@code !a}: a constant flipped, a double negation removed. */
    static Cond not(Cond a) {
        if (a instanceof Cond.Const k) {
            return k.value() ? Cond.FALSE : Cond.TRUE;
        }
        return a instanceof Cond.Not n ? n.term() : new Cond.Not(a);
    }

    record Or(List<Cond> terms) implements Cond {
        public Or {
            terms = List.copyOf(terms);
        }
    }

    record And(List<Cond> terms) implements Cond {
        public And {
            terms = List.copyOf(terms);
        }
    }

    record Not(Cond term) implements Cond {}

    record Const(boolean value) implements Cond {}

    /** Comparison operators. All comparisons are unsigned on the argument's width. */
    enum Op {
        EQ("=="),
        NE("!="),
        LT("<"),
        LE("<="),
        GT(">"),
        GE(">="),
        /** {@code (x & mask) != 0}: any of the mask's bits set; {@code value} is unused (0). */
        ANY_BITS("&");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    /**
     * {@code (arg[index] & widthMask & mask) op value}. {@code width} is 16, 32 or 64: the bits of
     * the argument the kernel uses; the rest is ignored (garbage there must not matter).
     * {@code mask} and {@code value} are already truncated to the width.
     */
    record Test(int arg, int width, long mask, Op op, long value) implements Cond {
        public Test {
            if (arg < 0 || arg > 5) {
                throw new IllegalArgumentException("argument index " + arg);
            }
            if (width != 16 && width != 32 && width != 64) {
                throw new IllegalArgumentException("width " + width);
            }
            long wm = widthMask(width);
            mask &= wm;
            value &= wm;
        }

        public static long widthMask(int width) {
            return width == 64 ? -1L : (1L << width) - 1;
        }

        /** The argument as the kernel sees it, masked. */
        public long operand(long rawArg) {
            return rawArg & widthMask(width) & mask;
        }

        public boolean eval(long rawArg) {
            long x = operand(rawArg);
            return switch (op) {
                case EQ -> x == value;
                case NE -> x != value;
                case LT -> Long.compareUnsigned(x, value) < 0;
                case LE -> Long.compareUnsigned(x, value) <= 0;
                case GT -> Long.compareUnsigned(x, value) > 0;
                case GE -> Long.compareUnsigned(x, value) >= 0;
                case ANY_BITS -> x != 0;
            };
        }
    }

    /** Evaluates the condition on six raw 64-bit arguments. */
    static boolean eval(Cond c, long[] args) {
        if (c instanceof Const k) {
            return k.value();
        } else if (c instanceof Test t) {
            return t.eval(args[t.arg()]);
        } else if (c instanceof Not n) {
            return !eval(n.term(), args);
        } else if (c instanceof And a) {
            for (Cond t : a.terms()) {
                if (!eval(t, args)) {
                    return false;
                }
            }
            return true;
        } else {
            for (Cond t : ((Or) c).terms()) {
                if (eval(t, args)) {
                    return true;
                }
            }
            return false;
        }
    }
}
