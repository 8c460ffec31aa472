package dev.syscage.policy.compile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * What each step of the compiler did, in order: the stages (lower, search-tree, layout, limits,
 * verify) and the optimizer passes ({@link Pass}), each with the program's length in
 * instructions before and after it and the time it took. The length of an intermediate program
 * is that of its layout. The first pass's {@code before} is the unoptimized length (that of the
 * search-tree stage's balanced trees), the last pass's {@code after} the final length.
 *
 * <p>The lengths of intermediate programs are measured (laid out) when first asked for, so a
 * compile whose statistics nobody reads does not pay for them. Balanced trees are built when
 * first needed ({@link Draft}): with weighted-tree on, the search-tree stage and coalesce-ranges
 * only define theirs; with it off, building them counts in the next graph step's time.
 */
public final class CompileStats {
    /** No program exists yet (before the search-tree stage). */
    public static final int NO_PROGRAM = -1;

    public enum Kind {
        STAGE,
        PASS
    }

    /** One step; a pass switched off did not run: its before and after are equal, its time zero. */
    public record Step(String name, Kind kind, boolean ran, int before, int after, long nanos) {}

    /** A step as recorded: its length after it, measured on demand. */
    private record Pending(String name, Kind kind, boolean ran, IntSupplier after, long nanos) {}

    private final List<Pending> pending;
    private List<Step> steps;

    private CompileStats(List<Pending> pending) {
        this.pending = List.copyOf(pending);
    }

    public synchronized List<Step> steps() {
        if (steps == null) {
            List<Step> out = new ArrayList<>();
            int before = NO_PROGRAM;
            for (Pending p : pending) {
                int after = p.after().getAsInt();
                out.add(new Step(p.name(), p.kind(), p.ran(), before, after, p.nanos()));
                before = after;
            }
            steps = List.copyOf(out);
        }
        return steps;
    }

    public List<Step> passes() {
        return steps().stream().filter(s -> s.kind() == Kind.PASS).toList();
    }

    /** The program's length before any pass. */
    public int unoptimized() {
        return passes().get(0).before();
    }

    /** The final program's length. */
    public int length() {
        return steps().get(steps().size() - 1).after();
    }

    public long nanos() {
        return pending.stream().mapToLong(Pending::nanos).sum();
    }

    /** A table for people, one line per step, then the totals. */
    public String render() {
        StringBuilder sb = new StringBuilder(
                String.format(Locale.ROOT, "%-16s %-5s %7s %7s %10s%n", "step", "kind", "before", "after", "time"));
        for (Step s : steps()) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%-16s %-5s %7s %7s %10s%n",
                    s.name(),
                    s.kind().name().toLowerCase(Locale.ROOT),
                    length(s.before()),
                    length(s.after()),
                    s.ran() ? millis(s.nanos()) : "off"));
        }
        int saved = unoptimized() - length();
        sb.append(String.format(
                Locale.ROOT,
                "%d -> %d instructions (%d fewer, %.1f%%) in %s%n",
                unoptimized(),
                length(),
                saved,
                100.0 * saved / unoptimized(),
                millis(nanos())));
        return sb.toString();
    }

    private static String length(int n) {
        return n == NO_PROGRAM ? "-" : Integer.toString(n);
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }

    /** Runs the steps and records them; sizing an intermediate program is not counted in its time. */
    static final class Recorder {
        private final List<Pending> steps = new ArrayList<>();
        private IntSupplier length = () -> NO_PROGRAM;

        <T> T stage(String name, Supplier<T> step, ToIntFunction<T> size) {
            long t0 = System.nanoTime();
            T out = step.get();
            long t = System.nanoTime() - t0;
            length = once(() -> size.applyAsInt(out));
            steps.add(new Pending(name, Kind.STAGE, true, length, t));
            return out;
        }

        void check(String name, Runnable check) {
            long t0 = System.nanoTime();
            check.run();
            steps.add(new Pending(name, Kind.STAGE, true, length, System.nanoTime() - t0));
        }

        Draft pass(Pass p, boolean runs, Draft in) {
            if (!runs) {
                steps.add(new Pending(p.id(), Kind.PASS, false, length, 0));
                return in;
            }
            long t0 = System.nanoTime();
            Draft out = p.apply(in);
            long t = System.nanoTime() - t0;
            length = once(() -> out.layout().length());
            steps.add(new Pending(p.id(), Kind.PASS, true, length, t));
            return out;
        }

        CompileStats stats() {
            return new CompileStats(steps);
        }

        private static IntSupplier once(IntSupplier s) {
            int[] memo = {Integer.MIN_VALUE};
            return () -> {
                if (memo[0] == Integer.MIN_VALUE) {
                    memo[0] = s.getAsInt();
                }
                return memo[0];
            };
        }
    }
}
