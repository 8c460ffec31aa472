package dev.syscage.policy.compile;

import dev.syscage.policy.bpf.Bpf;
import dev.syscage.policy.build.Block;
import dev.syscage.policy.build.BlockFactory;
import dev.syscage.policy.lower.Interval;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The search over syscall numbers: a binary tree of {@code jge} tests over intervals, whose
 * leaves are the intervals' outcome blocks. The optimal tree minimises the expected number of
 * comparisons for the given weights, by dynamic programming over contiguous runs of intervals
 * (O(n³), n = number of intervals, about 70 for Docker's profile). Besides {@code jge} splits
 * it considers, for a run whose intervals all share one outcome except a few single numbers, a
 * chain of {@code jeq} tests that peels those numbers off, heaviest first: one comparison where
 * splitting around an isolated number would take two.
 */
final class SearchTree {
    /** Longest jeq chain considered for one run. */
    private static final int MAX_PEEL = 12;

    private final List<Interval> intervals;
    private final int[] outcome;
    private final Block[] leaves;
    private final BlockFactory blocks;

    /**
     * @param outcome for each interval, the index of its outcome (equal outcomes, equal index)
     * @param leaves  for each outcome index, the block deciding it
     */
    SearchTree(List<Interval> intervals, int[] outcome, Block[] leaves, BlockFactory blocks) {
        this.intervals = intervals;
        this.outcome = outcome;
        this.leaves = leaves;
        this.blocks = blocks;
    }

    /** A tree balanced by interval count: what the unoptimized compiler emits. */
    Block balanced() {
        return withNrLoaded(balanced(0, intervals.size() - 1));
    }

    /** The tree's first comparison loads the syscall number; a lone leaf fetches what it needs. */
    private Block withNrLoaded(Block root) {
        for (Block leaf : leaves) {
            if (leaf == root) {
                return root;
            }
        }
        return blocks.refetch(root, Bpf.SECCOMP_DATA_NR, Block.FULL_MASK, root.jt(), root.jf());
    }

    private Block balanced(int i, int j) {
        if (i == j) {
            return leaves[outcome[i]];
        }
        int k = (i + j + 1) / 2;
        return split(k, balanced(k, j), balanced(i, k - 1));
    }

    /** The tree with the least weighted comparison count. */
    Block optimal(double[] weight) {
        int n = intervals.size();
        double[] prefix = new double[n + 1];
        for (int i = 0; i < n; i++) {
            prefix[i + 1] = prefix[i] + weight[i];
        }
        double[][] cost = new double[n][n];
        int[][] choice = new int[n][n]; // >0: jge split at k; 0: leaf; -1: jeq chain
        for (int len = 1; len <= n; len++) {
            for (int i = 0; i + len - 1 < n; i++) {
                int j = i + len - 1;
                if (len == 1) {
                    continue; // leaf, cost 0
                }
                double total = prefix[j + 1] - prefix[i];
                double best = Double.MAX_VALUE;
                int pick = 0;
                for (int k = i + 1; k <= j; k++) {
                    double c = total + cost[i][k - 1] + cost[k][j];
                    if (c < best) {
                        best = c;
                        pick = k;
                    }
                }
                double chain = chainCost(i, j, weight, total);
                if (chain < best) {
                    best = chain;
                    pick = -1;
                }
                cost[i][j] = best;
                choice[i][j] = pick;
            }
        }
        return withNrLoaded(build(0, n - 1, choice, weight));
    }

    private Block build(int i, int j, int[][] choice, double[] weight) {
        if (i == j) {
            return leaves[outcome[i]];
        }
        int c = choice[i][j];
        if (c > 0) {
            return split(c, build(c, j, choice, weight), build(i, c - 1, choice, weight));
        }
        int background = backgroundOutcome(i, j, weight);
        List<Integer> peeled = peeled(i, j, background, weight);
        Block next = leaves[background];
        for (int p = peeled.size() - 1; p >= 0; p--) {
            Interval iv = intervals.get(peeled.get(p));
            next = blocks.jump(Block.NO_LOAD, Block.FULL_MASK, Bpf.BPF_JEQ, (int) iv.lo(),
                    leaves[outcome[peeled.get(p)]], next, "nr == " + iv.lo());
        }
        return next;
    }

    private Block split(int k, Block above, Block below) {
        long lo = intervals.get(k).lo();
        return blocks.jump(Block.NO_LOAD, Block.FULL_MASK, Bpf.BPF_JGE, (int) lo, above, below, "nr >= " + lo);
    }

    /**
     * Cost of deciding runs i..j with a jeq chain, or +inf when some interval that is not of the
     * heaviest outcome spans more than one number.
     */
    private double chainCost(int i, int j, double[] weight, double total) {
        int background = backgroundOutcome(i, j, weight);
        List<Integer> peeled = peeled(i, j, background, weight);
        if (peeled == null) {
            return Double.MAX_VALUE;
        }
        double c = 0;
        double peeledWeight = 0;
        for (int p = 0; p < peeled.size(); p++) {
            c += weight[peeled.get(p)] * (p + 1);
            peeledWeight += weight[peeled.get(p)];
        }
        return c + (total - peeledWeight) * peeled.size();
    }

    /** The outcome with the most weight in runs i..j. */
    private int backgroundOutcome(int i, int j, double[] weight) {
        double[] byOutcome = new double[leaves.length];
        int best = outcome[i];
        for (int k = i; k <= j; k++) {
            byOutcome[outcome[k]] += weight[k] + 1e-12;
            if (byOutcome[outcome[k]] > byOutcome[best]) {
                best = outcome[k];
            }
        }
        return best;
    }

    /** Intervals of runs i..j not of the background outcome, heaviest first; null if one is not a single number. */
    private List<Integer> peeled(int i, int j, int background, double[] weight) {
        List<Integer> out = new ArrayList<>();
        for (int k = i; k <= j; k++) {
            if (outcome[k] != background) {
                if (!intervals.get(k).isSingle() || out.size() == MAX_PEEL) {
                    return null;
                }
                out.add(k);
            }
        }
        out.sort(Comparator.comparingDouble((Integer k) -> -weight[k]).thenComparingInt(k -> k));
        return out;
    }
}
