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
    /** How much weighted cost may be traded for a shorter longest path. */
    private static final double TOLERANCE = 0.02;
    /** Above this many intervals the path-length bound is skipped (it costs O(n³) per level). */
    private static final int BUDGET_LIMIT = 200;

    private static final double INF = Double.MAX_VALUE / 4;

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

    /** What each outcome's block executes when every argument is zero, by outcome index. */
    int[] leafCosts() {
        int[] cost = new int[leaves.length];
        for (int i = 0; i < leaves.length; i++) {
            cost[i] = zeroArgumentCost(leaves[i]);
        }
        return cost;
    }

    /**
     * Instructions an outcome block executes when every argument is zero: the cost the search
     * tree's longest-path bound works with (a leaf loads only arguments, so the accumulator is
     * zero after every load).
     */
    static int zeroArgumentCost(Block b) {
        int n = 0;
        while (true) {
            n += b.size();
            if (b.isRet()) {
                return n;
            }
            int k = b.k();
            boolean taken = switch (b.code() & 0xF0) {
                case Bpf.BPF_JEQ -> k == 0;
                case Bpf.BPF_JGE -> k == 0;
                default -> false; // jgt: 0 > k never; jset: 0 & k never
            };
            b = taken ? b.jt() : b.jf();
        }
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

    /**
     * The tree with the least weighted comparison count among those whose longest path is
     * shortest within {@link #TOLERANCE} of that least count. {@code leafCost} is what each
     * outcome's block executes (zero arguments); {@code bounded} says which intervals count for
     * the longest path (those inside the syscall table).
     */
    Block optimal(double[] weight, int[] leafCost, boolean[] bounded) {
        int n = intervals.size();
        double[] prefix = new double[n + 1];
        for (int i = 0; i < n; i++) {
            prefix[i + 1] = prefix[i] + weight[i];
        }
        double[][] chainCost = new double[n][n];
        int[][] chainNeed = new int[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                chainNeed[i][j] = chain(i, j, weight, prefix[j + 1] - prefix[i], leafCost, bounded, chainCost);
            }
        }
        Plan free = plan(prefix, chainCost, chainNeed, leafCost, bounded, -1);
        if (n > BUDGET_LIMIT) {
            return withNrLoaded(free.build(this, 0, n - 1, 0, weight));
        }
        int worst = free.worst(this, chainNeed, leafCost, bounded);
        Plan budgeted = plan(prefix, chainCost, chainNeed, leafCost, bounded, worst);
        int b = 0;
        while (b < worst && budgeted.cost[b][0][n - 1] > free.cost[0][0][n - 1] * (1 + TOLERANCE)) {
            b++;
        }
        return withNrLoaded(budgeted.build(this, 0, n - 1, b, weight));
    }

    /**
     * Costs and choices of the dynamic program. Without a budget, one level. With budget B,
     * level b holds the best trees whose bounded paths execute at most b instructions from the
     * subtree's root (comparisons plus leaf).
     */
    private static final class Plan {
        final double[][][] cost;
        final int[][][] choice; // >0: jge split at k; 0: leaf; -1: jeq chain
        final boolean limited;

        Plan(int levels, int n, boolean limited) {
            cost = new double[levels][n][n];
            choice = new int[levels][n][n];
            this.limited = limited;
        }

        Block build(SearchTree t, int i, int j, int b, double[] weight) {
            if (i == j) {
                return t.leaves[t.outcome[i]];
            }
            int c = choice[limited ? b : 0][i][j];
            if (c > 0) {
                return t.split(c, build(t, c, j, b - 1, weight), build(t, i, c - 1, b - 1, weight));
            }
            return t.chainBlock(i, j, weight);
        }

        /** Longest bounded path of the unlimited plan. */
        int worst(SearchTree t, int[][] chainNeed, int[] leafCost, boolean[] bounded) {
            return worst(t, 0, cost[0].length - 1, chainNeed, leafCost, bounded);
        }

        private int worst(SearchTree t, int i, int j, int[][] chainNeed, int[] leafCost, boolean[] bounded) {
            if (i == j) {
                return bounded[i] ? leafCost[t.outcome[i]] : 0;
            }
            int c = choice[0][i][j];
            if (c > 0) {
                return 1
                        + Math.max(
                                worst(t, i, c - 1, chainNeed, leafCost, bounded),
                                worst(t, c, j, chainNeed, leafCost, bounded));
            }
            return chainNeed[i][j];
        }
    }

    private Plan plan(
            double[] prefix, double[][] chainCost, int[][] chainNeed, int[] leafCost, boolean[] bounded, int budget) {
        int n = intervals.size();
        boolean limited = budget >= 0;
        Plan p = new Plan(limited ? budget + 1 : 1, n, limited);
        for (int b = 0; b < p.cost.length; b++) {
            double[][] cost = p.cost[b];
            double[][] below = !limited ? cost : b == 0 ? null : p.cost[b - 1];
            for (int len = 1; len <= n; len++) {
                for (int i = 0; i + len - 1 < n; i++) {
                    int j = i + len - 1;
                    if (len == 1) {
                        cost[i][i] = limited && bounded[i] && leafCost[outcome[i]] > b ? INF : 0;
                        continue;
                    }
                    double total = prefix[j + 1] - prefix[i];
                    double best = INF;
                    int pick = 0;
                    if (below != null) {
                        for (int k = i + 1; k <= j; k++) {
                            double c = total + below[i][k - 1] + below[k][j];
                            if (c < best) {
                                best = c;
                                pick = k;
                            }
                        }
                    }
                    if (chainNeed[i][j] >= 0 && (!limited || chainNeed[i][j] <= b) && chainCost[i][j] < best) {
                        best = chainCost[i][j];
                        pick = -1;
                    }
                    cost[i][j] = Math.min(best, INF);
                    p.choice[b][i][j] = pick;
                }
            }
        }
        return p;
    }

    private Block chainBlock(int i, int j, double[] weight) {
        int background = backgroundOutcome(i, j, weight);
        List<Integer> peeled = peeled(i, j, background, weight);
        Block next = leaves[background];
        for (int p = peeled.size() - 1; p >= 0; p--) {
            Interval iv = intervals.get(peeled.get(p));
            next = blocks.jump(
                    Block.NO_LOAD,
                    Block.FULL_MASK,
                    Bpf.BPF_JEQ,
                    (int) iv.lo(),
                    leaves[outcome[peeled.get(p)]],
                    next,
                    "nr == " + iv.lo());
        }
        return next;
    }

    private Block split(int k, Block above, Block below) {
        long lo = intervals.get(k).lo();
        return blocks.jump(Block.NO_LOAD, Block.FULL_MASK, Bpf.BPF_JGE, (int) lo, above, below, "nr >= " + lo);
    }

    /**
     * Fills {@code cost[i][j]} with the cost of deciding runs i..j by a jeq chain and returns the
     * longest bounded path it needs (comparisons plus leaf), or -1 when runs i..j cannot be a
     * chain (an interval not of the heaviest outcome spans more than one number).
     */
    private int chain(int i, int j, double[] weight, double total, int[] leafCost, boolean[] bounded, double[][] cost) {
        int background = backgroundOutcome(i, j, weight);
        List<Integer> peeled = peeled(i, j, background, weight);
        if (peeled == null) {
            cost[i][j] = INF;
            return -1;
        }
        double c = 0;
        double peeledWeight = 0;
        int need = 0;
        for (int p = 0; p < peeled.size(); p++) {
            int k = peeled.get(p);
            c += weight[k] * (p + 1);
            peeledWeight += weight[k];
            if (bounded[k]) {
                need = Math.max(need, p + 1 + leafCost[outcome[k]]);
            }
        }
        for (int k = i; k <= j; k++) {
            if (outcome[k] == background && bounded[k]) {
                need = Math.max(need, peeled.size() + leafCost[background]);
            }
        }
        cost[i][j] = c + (total - peeledWeight) * peeled.size();
        return need;
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
