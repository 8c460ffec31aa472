package dev.syscage.policy.compile;

import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.build.Block;
import dev.syscage.policy.lower.Interval;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Policy;
import java.util.List;
import java.util.Map;

/** What the weighted-tree pass weighs: each interval's share of numbers and of uncached calls. */
final class TreeWeights {
    /** Weight of a number outside the syscall table (so those ranges sink to the bottom). */
    private static final double OUTSIDE_WEIGHT = 1e-3;
    /**
     * How much the frequency mix counts against the uniform one. The uniform part keeps every
     * number's depth low; the frequency part lifts hot syscalls that the kernel's cache does not
     * answer (argument checks, non-allow actions) towards the root.
     */
    private static final double FREQUENCY_SHARE = 1.0;

    private TreeWeights() {}

    /** The optimal tree over {@code intervals} of arch {@code ap}. */
    static Block optimal(SearchTree tree, ArchPolicy ap, List<Interval> intervals, Map<String, Long> freq) {
        boolean[] bounded = new boolean[intervals.size()];
        for (int i = 0; i < bounded.length; i++) {
            bounded[i] = intervals.get(i).lo() <= ap.table().maxNumber();
        }
        return tree.optimal(weights(ap, intervals, freq), tree.leafCosts(), bounded);
    }

    /** The frequency mix: the options', else the policy's, else the shipped table. */
    static Map<String, Long> frequencies(Policy policy, CompileOptions options) {
        if (!options.frequency().isEmpty()) {
            return options.frequency();
        }
        if (!policy.frequency().isEmpty()) {
            return policy.frequency();
        }
        return Frequency.shipped();
    }

    /**
     * Each interval's weight: its share of the numbers in the table (every number counts the
     * same) plus its share of the calls, in the frequency mix, that the kernel's action cache
     * cannot answer.
     */
    static double[] weights(ArchPolicy ap, List<Interval> intervals, Map<String, Long> freq) {
        int max = ap.table().maxNumber();
        double[] uniform = new double[intervals.size()];
        double[] hot = new double[intervals.size()];
        double uniformTotal = 0;
        double hotTotal = 0;
        for (int i = 0; i < intervals.size(); i++) {
            Interval iv = intervals.get(i);
            long inside = Math.max(0, Math.min(iv.hi(), max) - iv.lo() + 1);
            uniform[i] = inside + OUTSIDE_WEIGHT;
            uniformTotal += uniform[i];
            boolean cached = iv.outcome().isFixed() && iv.outcome().fallback().equals(Action.ALLOW);
            if (!cached && inside > 0) {
                for (long nr = iv.lo(); nr <= Math.min(iv.hi(), max); nr++) {
                    Syscall s = ap.table().byNumber((int) nr).orElse(null);
                    if (s != null) {
                        hot[i] += freq.getOrDefault(s.name(), 0L);
                    }
                }
            }
            hotTotal += hot[i];
        }
        double[] w = new double[intervals.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = uniform[i] / uniformTotal + (hotTotal == 0 ? 0 : FREQUENCY_SHARE * hot[i] / hotTotal);
        }
        return w;
    }
}
