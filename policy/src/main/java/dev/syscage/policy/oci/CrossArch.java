package dev.syscage.policy.oci;

import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Cond;
import java.util.List;

/**
 * Checks that the OCI entries made for a syscall on the host architecture of a Docker filter
 * also mean the policy's rules on a sub-architecture in that filter (i386 beside x86_64): OCI
 * gives both the same entries. That holds when the sub-architecture's clauses are the host's
 * with 64-bit arguments narrowed to 32 bits (values must fit), and when no comparison carries
 * bits above 32 that libseccomp, which cuts datum and mask to 32 bits on i386, would drop.
 */
final class CrossArch {
    private CrossArch() {}

    static void check(
            String name,
            ArchPolicy host,
            List<Clause> hostClauses,
            ArchPolicy sub,
            List<Clause> subClauses,
            List<EntryGenerator.Generated> entries)
            throws EntryGenerator.Unexpressible {
        boolean narrow = sub.arch().registerBits() < host.arch().registerBits();
        int n = Math.max(hostClauses.size(), subClauses.size());
        for (int i = 0; i < n; i++) {
            Clause h = i < hostClauses.size() ? hostClauses.get(i) : null;
            Clause s = i < subClauses.size() ? subClauses.get(i) : null;
            if (h == null
                    || s == null
                    || !h.action().equals(s.action())
                    || h.rule().index() != s.rule().index()
                    || !s.when().equals(narrow ? narrow(h.when()) : h.when())) {
                Clause blame = h != null ? h : s;
                throw new EntryGenerator.Unexpressible(
                        blame.rule(),
                        "its rules mean different things on " + host.arch()
                                + " and " + sub.arch()
                                + " (argument widths, positions or values), and one OCI filter gives both "
                                + "the same entries; export the architectures separately");
            }
        }
        if (narrow) {
            for (EntryGenerator.Generated g : entries) {
                for (OciProfile.Arg a : g.args()) {
                    long significant = a.op() == OciProfile.Op.MASKED_EQ ? a.valueTwo() : a.value();
                    if ((significant >>> 32) != 0) {
                        throw new EntryGenerator.Unexpressible(
                                g.origin(),
                                "the comparison " + ArgTranslation.describe(a)
                                        + " it needs on " + host.arch() + " would be cut to 32 bits by libseccomp on "
                                        + sub.arch()
                                        + " and match other calls there; export the architectures separately");
                    }
                }
            }
        }
    }

    /** The condition as it reads with 64-bit arguments cut to 32 bits; null when a value does not fit. */
    static Cond narrow(Cond c) {
        if (c instanceof Cond.Test t) {
            if (t.width() <= 32) {
                return t;
            }
            return (t.value() >>> 32) != 0 ? null : new Cond.Test(t.arg(), 32, t.mask(), t.op(), t.value());
        } else if (c instanceof Cond.Not n) {
            Cond inner = narrow(n.term());
            return inner == null ? null : new Cond.Not(inner);
        } else if (c instanceof Cond.And a) {
            List<Cond> terms = a.terms().stream().map(CrossArch::narrow).toList();
            return terms.contains(null) ? null : new Cond.And(terms);
        } else if (c instanceof Cond.Or o) {
            List<Cond> terms = o.terms().stream().map(CrossArch::narrow).toList();
            return terms.contains(null) ? null : new Cond.Or(terms);
        }
        return c;
    }
}
