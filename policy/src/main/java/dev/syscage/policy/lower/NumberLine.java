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
    private NumberLine() {
    }

    /**
     * One interval per known syscall number and per gap; with {@code coalesce} adjacent
     * intervals with equal outcomes are merged (the "coalesce ranges" optimization).
     */
    public static List<Interval> of(ArchPolicy p, Action badArch, boolean coalesce) {
        List<Interval> out = new ArrayList<>();
        Outcome unknown = Outcome.fixed(p.unknownAction());
        int max = p.table().maxNumber();
        long gapStart = 0;
        for (int nr = 0; nr <= max; nr++) {
            if (!p.table().isKnown(nr)) {
                continue;
            }
            if (gapStart < nr) {
                add(out, new Interval(gapStart, nr - 1, unknown), coalesce);
            }
            add(out, new Interval(nr, nr, Outcome.of(p.clausesFor(nr), p.defaultAction())), coalesce);
            gapStart = nr + 1L;
        }
        long top = 0xFFFFFFFFL;
        if (p.arch() == Arch.X86_64) {
            add(out, new Interval(gapStart, Arch.X32_SYSCALL_BIT - 1L, unknown), coalesce);
            add(out, new Interval(Arch.X32_SYSCALL_BIT, top - 1, Outcome.fixed(badArch)), coalesce);
        } else {
            add(out, new Interval(gapStart, top - 1, unknown), coalesce);
        }
        // nr -1: what a tracer sets to skip a call, and what syscall(-1) passes
        add(out, new Interval(top, top, unknown), coalesce);
        return out;
    }

    private static void add(List<Interval> out, Interval next, boolean coalesce) {
        if (coalesce && !out.isEmpty()) {
            Interval last = out.get(out.size() - 1);
            if (last.outcome().equals(next.outcome())) {
                out.set(out.size() - 1, new Interval(last.lo(), next.hi(), last.outcome()));
                return;
            }
        }
        out.add(next);
    }
}
