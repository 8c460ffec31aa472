package dev.syscage.policy.oci;

import static dev.syscage.policy.oci.LibseccompNode.get;

import java.util.List;

/**
 * The nodes libseccomp makes of one comparison of a rule ({@code _db_rule_gen_arg_64} and
 * {@code _db_rule_gen_arg_32} in src/db.c): on a 64-bit architecture EQ, NE and MASKED_EQ become a
 * high-word and a low-word node, LT, LE, GT and GE three nodes (high word greater, high word
 * equal, low word); on a 32-bit one, one node on the low word. NE, LT and LE are their opposites
 * with the action on the false branch. {@code prev} and {@code tf} carry where the next
 * comparison links, as in libseccomp. Used by {@link LibseccompTree#add}.
 */
final class LibseccompRuleGen {
    private LibseccompRuleGen() {}

    private static long mask(OciProfile.Arg a) {
        return a.op() == OciProfile.Op.MASKED_EQ ? a.value() : -1L;
    }

    private static long datum(OciProfile.Arg a) {
        return a.op() == OciProfile.Op.MASKED_EQ ? a.valueTwo() : a.value();
    }

    private static long lo(long v) {
        return v & 0xFFFFFFFFL;
    }

    private static long hi(long v) {
        return v >>> 32;
    }

    private static void link(LibseccompNode[] prev, boolean tf, LibseccompNode to) {
        for (int i = 0; prev[i] != null; i++) {
            if (tf) {
                prev[i].nxtT = get(to);
            } else {
                prev[i].nxtF = get(to);
            }
        }
        prev[0] = prev[1] = prev[2] = prev[3] = null;
    }

    static LibseccompNode gen64(OciProfile.Arg a, LibseccompNode[] prev, boolean[] tf) {
        long mask = mask(a);
        long datum = datum(a);
        boolean masked = a.op() == OciProfile.Op.MASKED_EQ;
        if (masked && hi(mask) == 0 && lo(mask) == 0) {
            return null;
        }
        LibseccompNode c0 = new LibseccompNode();
        LibseccompNode c1 = new LibseccompNode();
        LibseccompNode c2 = new LibseccompNode();
        link(prev, tf[0], c0);
        switch (a.op()) {
            case GT, GE, LE, LT -> {
                for (LibseccompNode n : List.of(c0, c1, c2)) {
                    n.arg = a.index();
                    n.datumFull = datum;
                    n.opOrig = a.op();
                }
                c0.hi = true;
                c1.hi = true;
                c2.hi = false;
                c0.mask = hi(mask);
                c1.mask = hi(mask);
                c2.mask = lo(mask);
                c0.datum = hi(datum) & c0.mask;
                c1.datum = hi(datum) & c1.mask;
                c2.datum = lo(datum) & c2.mask;
                c0.op = OciProfile.Op.GT;
                c1.op = OciProfile.Op.EQ;
                c2.op = a.op() == OciProfile.Op.GT || a.op() == OciProfile.Op.LE ? OciProfile.Op.GT : OciProfile.Op.GE;
                c0.nxtF = get(c1);
                c1.nxtT = get(c2);
            }
            default -> {
                c2 = null;
                for (LibseccompNode n : List.of(c0, c1)) {
                    n.arg = a.index();
                    n.datumFull = datum;
                    n.opOrig = a.op();
                    n.op = masked ? OciProfile.Op.MASKED_EQ : OciProfile.Op.EQ;
                }
                c0.hi = true;
                c1.hi = false;
                c0.mask = hi(mask);
                c1.mask = lo(mask);
                c0.datum = hi(datum) & c0.mask;
                c1.datum = lo(datum) & c1.mask;
                c0.nxtT = get(c1);
            }
        }
        switch (a.op()) {
            case GT, GE -> {
                prev[0] = c0;
                prev[1] = c2;
                tf[0] = true;
            }
            case EQ, MASKED_EQ -> {
                prev[0] = c1;
                tf[0] = true;
            }
            case LE, LT -> {
                prev[0] = c1;
                prev[1] = c2;
                tf[0] = false;
            }
            case NE -> {
                prev[0] = c0;
                prev[1] = c1;
                tf[0] = false;
            }
        }
        return c0;
    }

    static LibseccompNode gen32(OciProfile.Arg a, LibseccompNode[] prev, boolean[] tf) {
        long mask = mask(a);
        if (a.op() == OciProfile.Op.MASKED_EQ && lo(mask) == 0) {
            return null;
        }
        LibseccompNode c = new LibseccompNode();
        c.arg = a.index();
        c.hi = false;
        c.op = a.op();
        c.opOrig = a.op();
        c.mask = lo(mask); // the 32-bit node keeps only the lower half
        c.datum = lo(datum(a));
        c.datumFull = lo(datum(a));
        for (int i = 0; prev[i] != null; i++) {
            if (tf[0]) {
                prev[i].nxtT = get(c);
            } else {
                prev[i].nxtF = get(c);
            }
        }
        prev[0] = c;
        prev[1] = null;
        switch (c.op) {
            case NE -> {
                c.op = OciProfile.Op.EQ;
                tf[0] = false;
            }
            case LT -> {
                c.op = OciProfile.Op.GE;
                tf[0] = false;
            }
            case LE -> {
                c.op = OciProfile.Op.GT;
                tf[0] = false;
            }
            default -> tf[0] = true;
        }
        c.datum &= c.mask;
        return c;
    }
}
