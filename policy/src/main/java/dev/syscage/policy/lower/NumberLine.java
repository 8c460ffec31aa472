package dev.syscage.policy.lower;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * Lowers one arch's policy to outcomes over the whole 32-bit space of syscall numbers, so the
 * search tree decides every possible value deliberately: known syscalls get their clauses,
 * unknown numbers and -1 the unknown action, and on x86_64 the x32 range the bad-arch action.
 */
public final class NumberLine {
    private NumberLine() {}

    /** One interval per known syscall number and per gap. */
    public static List<Interval> of(ArchPolicy p, Action badArch) {
        List<Interval> out = new ArrayList<>();
        Outcome unknown = Outcome.fixed(p.unknownAction());
        int max = p.table().maxNumber();
        long gapStart = 0;
        for (int nr = 0; nr <= max; nr++) {
            if (!p.table().isKnown(nr)) {
                continue;
            }
            if (gapStart < nr) {
                out.add(new Interval(gapStart, nr - 1, unknown));
            }
            out.add(new Interval(nr, nr, Outcome.of(p.clausesFor(nr), p.defaultAction())));
            gapStart = nr + 1L;
        }
        long top = 0xFFFFFFFFL;
        if (p.arch() == Arch.X86_64) {
            out.add(new Interval(gapStart, Arch.X32_SYSCALL_BIT - 1L, unknown));
            out.add(new Interval(Arch.X32_SYSCALL_BIT, top - 1, Outcome.fixed(badArch)));
        } else {
            out.add(new Interval(gapStart, top - 1, unknown));
        }
        // nr -1: what a tracer sets to skip a call, and what syscall(-1) passes
        out.add(new Interval(top, top, unknown));
        return out;
    }

    /** Adjacent intervals with equal outcomes merged (the compiler's coalesce-ranges pass). */
    public static List<Interval> coalesce(List<Interval> intervals) {
        List<Interval> out = new ArrayList<>();
        for (Interval next : intervals) {
            Interval last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.outcome().equals(next.outcome())) {
                out.set(out.size() - 1, new Interval(last.lo(), next.hi(), last.outcome()));
            } else {
                out.add(next);
            }
        }
        return out;
    }
}
