package dev.syscage.policy.oci;

import dev.syscage.policy.arch.Param;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.model.Cond;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns the argument comparisons of an OCI entry into a syscage condition for one syscall on
 * one architecture. OCI compares the whole 64-bit register; syscage compares the bits the
 * kernel uses ({@link Param#width()}). The rule: a comparison holds for a value the kernel sees
 * exactly when libseccomp's comparison holds for that value zero-extended to 64 bits, i.e. for
 * a caller that leaves no garbage above the argument. So {@code SCMP_CMP_EQ 0x100000008} on an
 * {@code int} can never hold and {@code SCMP_CMP_LT 0x100000000} always does; both are reported.
 * On 32-bit architectures libseccomp itself drops the upper half of values and masks, and so
 * does this translation. {@code SCMP_CMP_MASKED_EQ} compares {@code (x & value) == (valueTwo & value)}
 * (libseccomp masks the datum). Several comparisons, even on one argument, are ANDed, as the
 * runtime spec says (runc and crun instead OR comparisons that share an argument).
 */
final class ArgTranslation {
    private ArgTranslation() {}

    /** An entry's comparisons for one syscall: never true, or the tests (all must hold) and their text. */
    record Translated(boolean never, List<Cond.Test> tests, String when, List<String> notes) {
        Translated {
            tests = List.copyOf(tests);
            notes = List.copyOf(notes);
        }

        boolean always() {
            return !never && tests.isEmpty();
        }
    }

    /**
     * The entry's comparisons on {@code s}; {@code argNames[i]} is how the condition names
     * argument {@code i}.
     */
    static Translated translate(List<OciProfile.Arg> args, Syscall s, String[] argNames) {
        List<Cond.Test> tests = new ArrayList<>();
        Set<String> texts = new LinkedHashSet<>();
        List<String> notes = new ArrayList<>();
        boolean never = false;
        for (OciProfile.Arg a : args) {
            Param p = s.param("arg" + a.index()).orElseThrow();
            Cond c = term(a, p.width(), s.arch().registerBits());
            if (c instanceof Cond.Test t) {
                if (!tests.contains(t)) {
                    tests.add(t);
                }
                texts.add(text(t, argNames[a.index()]));
            } else {
                boolean value = ((Cond.Const) c).value();
                never |= !value;
                notes.add(describe(a) + " on argument " + a.index() + " ('" + p.ctype() + " " + p.name() + "', "
                        + p.width() + " bits) of " + s.name() + " is always " + value
                        + " for a value the kernel uses");
            }
        }
        String when = texts.isEmpty() ? null : String.join(" && ", texts);
        return new Translated(never, never ? List.of() : tests, never ? null : when, notes);
    }

    /**
     * Whether libseccomp treats the entry as having no comparisons at all on an architecture of
     * {@code registerBits}: it skips a MASKED_EQ whose mask has no bits there. Such an entry is
     * an unconditional rule, which in libseccomp overrides every conditional rule of the syscall.
     */
    static boolean unconditionalForLibseccomp(List<OciProfile.Arg> args, int registerBits) {
        long reg = Cond.Test.widthMask(registerBits);
        return args.stream().allMatch(a -> a.op() == OciProfile.Op.MASKED_EQ && (a.value() & reg) == 0);
    }

    /** One comparison on an argument of {@code width} bits: a test, or TRUE/FALSE when it cannot depend on the value. */
    static Cond term(OciProfile.Arg a, int width, int registerBits) {
        long reg = Cond.Test.widthMask(registerBits);
        long wm = Cond.Test.widthMask(width);
        long v = a.value() & reg;
        int i = a.index();
        return switch (a.op()) {
            case EQ -> fits(v, wm) ? test(i, width, wm, Cond.Op.EQ, v) : Cond.FALSE;
            case NE -> fits(v, wm) ? test(i, width, wm, Cond.Op.NE, v) : Cond.TRUE;
            case LT -> v == 0 ? Cond.FALSE : !fits(v, wm) ? Cond.TRUE : test(i, width, wm, Cond.Op.LT, v);
            case LE -> Long.compareUnsigned(v, wm) >= 0 ? Cond.TRUE : test(i, width, wm, Cond.Op.LE, v);
            case GT -> Long.compareUnsigned(v, wm) >= 0 ? Cond.FALSE : test(i, width, wm, Cond.Op.GT, v);
            case GE -> v == 0 ? Cond.TRUE : !fits(v, wm) ? Cond.FALSE : test(i, width, wm, Cond.Op.GE, v);
            case MASKED_EQ -> masked(i, width, v, a.valueTwo() & v);
        };
    }

    private static Cond masked(int arg, int width, long mask, long datum) {
        long wm = Cond.Test.widthMask(width);
        if ((datum & ~wm) != 0) {
            return Cond.FALSE;
        }
        long em = mask & wm;
        if (em == 0) {
            return Cond.TRUE;
        }
        return test(arg, width, em, Cond.Op.EQ, datum);
    }

    private static boolean fits(long v, long wm) {
        return (v & ~wm) == 0;
    }

    private static Cond.Test test(int arg, int width, long mask, Cond.Op op, long value) {
        return new Cond.Test(arg, width, mask, op, value);
    }

    /** {@code family < 38}, {@code (clone_flags & 0x7e020000) == 0}. */
    static String text(Cond.Test t, String name) {
        boolean masked = t.mask() != Cond.Test.widthMask(t.width());
        if (masked) {
            return "(" + name + " & 0x" + Long.toHexString(t.mask()) + ") == " + number(t.value());
        }
        return name + " " + t.op().symbol() + " " + number(t.value());
    }

    /** Small numbers in decimal, others in hex. */
    static String number(long v) {
        return Long.compareUnsigned(v, 4096) < 0 ? Long.toString(v) : "0x" + Long.toHexString(v);
    }

    /** {@code SCMP_CMP_EQ 0x100000008}, {@code SCMP_CMP_MASKED_EQ 0x7e020000 0}. */
    static String describe(OciProfile.Arg a) {
        String s = a.op().ociName() + " " + number(a.value());
        return a.op() == OciProfile.Op.MASKED_EQ ? s + " " + number(a.valueTwo()) : s;
    }
}
