package dev.syscage.policy.lower;

import dev.syscage.policy.bpf.Bpf;
import dev.syscage.policy.build.Block;
import dev.syscage.policy.build.BlockFactory;
import dev.syscage.policy.model.Cond;

/**
 * Lowers a condition to blocks that jump to {@code onTrue} or {@code onFalse}, with
 * short-circuit evaluation. Each test reads exactly the bits of its argument the kernel uses:
 * a 16- or 32-bit argument only its low word (masked to 16 bits where needed), a 64-bit
 * argument both halves, combined correctly for every operator:
 *
 * <pre>
 *   x == v   ⇔  hi == vh  &&  lo == vl
 *   x >  v   ⇔  hi >  vh  || (hi == vh && lo >  vl)
 *   x >= v   ⇔  hi >  vh  || (hi == vh && lo >= vl)
 *   x & m    ⇔  (hi & mh) || (lo & ml)
 * </pre>
 * (all unsigned; {@code !=, <, <=} are the negations of {@code ==, >=, >}).
 */
public final class CondLowering {
    private static final long WORD = 0xFFFFFFFFL;

    private final BlockFactory blocks;

    public CondLowering(BlockFactory blocks) {
        this.blocks = blocks;
    }

    public Block lower(Cond c, Block onTrue, Block onFalse) {
        if (c instanceof Cond.Const k) {
            return k.value() ? onTrue : onFalse;
        } else if (c instanceof Cond.Not n) {
            return lower(n.term(), onFalse, onTrue);
        } else if (c instanceof Cond.And a) {
            Block next = onTrue;
            for (int i = a.terms().size() - 1; i >= 0; i--) {
                next = lower(a.terms().get(i), next, onFalse);
            }
            return next;
        } else if (c instanceof Cond.Or o) {
            Block next = onFalse;
            for (int i = o.terms().size() - 1; i >= 0; i--) {
                next = lower(o.terms().get(i), onTrue, next);
            }
            return next;
        }
        return test((Cond.Test) c, onTrue, onFalse);
    }

    private Block test(Cond.Test t, Block onTrue, Block onFalse) {
        int lo = Bpf.argLow(t.arg());
        if (t.width() < 64) {
            return word(lo, t.mask() & WORD, t.op(), t.value() & WORD, onTrue, onFalse);
        }
        int hi = Bpf.argHigh(t.arg());
        long mh = t.mask() >>> 32;
        long ml = t.mask() & WORD;
        long vh = t.value() >>> 32;
        long vl = t.value() & WORD;
        return switch (t.op()) {
            case EQ -> word(hi, mh, Cond.Op.EQ, vh, word(lo, ml, Cond.Op.EQ, vl, onTrue, onFalse), onFalse);
            case NE -> word(hi, mh, Cond.Op.EQ, vh, word(lo, ml, Cond.Op.EQ, vl, onFalse, onTrue), onTrue);
            case GT -> ordered(hi, mh, vh, lo, ml, vl, Cond.Op.GT, onTrue, onFalse);
            case GE -> ordered(hi, mh, vh, lo, ml, vl, Cond.Op.GE, onTrue, onFalse);
            case LE -> ordered(hi, mh, vh, lo, ml, vl, Cond.Op.GT, onFalse, onTrue);
            case LT -> ordered(hi, mh, vh, lo, ml, vl, Cond.Op.GE, onFalse, onTrue);
            case ANY_BITS ->
                word(hi, mh, Cond.Op.ANY_BITS, 0, onTrue, word(lo, ml, Cond.Op.ANY_BITS, 0, onTrue, onFalse));
        };
    }

    /** {@code x op v} for op GT or GE on a 64-bit value split in halves. */
    private Block ordered(int hi, long mh, long vh, int lo, long ml, long vl, Cond.Op op, Block onTrue, Block onFalse) {
        Block low = word(lo, ml, op, vl, onTrue, onFalse);
        Block equalHigh = word(hi, mh, Cond.Op.EQ, vh, low, onFalse);
        return word(hi, mh, Cond.Op.GT, vh, onTrue, equalHigh);
    }

    /**
     * One 32-bit test {@code (word & mask) op value}, folding what is constant: a zero mask, a
     * value with bits outside the mask, comparisons that cannot fail.
     */
    Block word(int offset, long mask, Cond.Op op, long value, Block onTrue, Block onFalse) {
        if (mask == 0) {
            return constant(0, op, value) ? onTrue : onFalse;
        }
        String label = "arg@" + offset + " " + op.symbol() + " 0x" + Long.toHexString(value);
        int m = (int) mask;
        switch (op) {
            case ANY_BITS:
                return blocks.jump(offset, Block.FULL_MASK, Bpf.BPF_JSET, m, onTrue, onFalse, label);
            case EQ:
            case NE: {
                Block t = op == Cond.Op.EQ ? onTrue : onFalse;
                Block f = op == Cond.Op.EQ ? onFalse : onTrue;
                if ((value & ~mask) != 0) {
                    return f;
                }
                if (value == 0 && mask != WORD) {
                    // (x & m) == 0 needs no AND: jset m
                    return blocks.jump(offset, Block.FULL_MASK, Bpf.BPF_JSET, m, f, t, label);
                }
                return blocks.jump(offset, (int) mask, Bpf.BPF_JEQ, (int) value, t, f, label);
            }
            case GT:
                if (value >= mask) {
                    return onFalse; // (x & m) <= m always
                }
                return blocks.jump(offset, (int) mask, Bpf.BPF_JGT, (int) value, onTrue, onFalse, label);
            case GE:
                if (value == 0) {
                    return onTrue;
                }
                if (value > mask) {
                    return onFalse;
                }
                return blocks.jump(offset, (int) mask, Bpf.BPF_JGE, (int) value, onTrue, onFalse, label);
            case LE:
                return word(offset, mask, Cond.Op.GT, value, onFalse, onTrue);
            case LT:
                return word(offset, mask, Cond.Op.GE, value, onFalse, onTrue);
            default:
                throw new IllegalArgumentException(op.toString());
        }
    }

    private static boolean constant(long x, Cond.Op op, long v) {
        return switch (op) {
            case EQ -> x == v;
            case NE -> x != v;
            case LT -> Long.compareUnsigned(x, v) < 0;
            case LE -> Long.compareUnsigned(x, v) <= 0;
            case GT -> Long.compareUnsigned(x, v) > 0;
            case GE -> Long.compareUnsigned(x, v) >= 0;
            case ANY_BITS -> false;
        };
    }
}
