package dev.syscage.policy.compile;

import dev.syscage.policy.bpf.Bpf;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.build.Block;
import dev.syscage.policy.build.BlockFactory;
import dev.syscage.policy.build.LoadElimination;
import dev.syscage.policy.build.ProgramBuilder;
import dev.syscage.policy.lower.CondLowering;
import dev.syscage.policy.lower.Interval;
import dev.syscage.policy.lower.NumberLine;
import dev.syscage.policy.lower.Outcome;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Policy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The program between the compiler's steps: each arch's intervals, outcome blocks and search
 * tree, and the block graph that dispatches on the arch to those trees. Immutable: every step
 * returns a new draft. {@code blocks} makes the graph's blocks; it shares tails once the
 * shared-tails pass has run, so the passes after it keep them shared.
 *
 * <p>A balanced tree, and the graph over the trees, are built when first needed (by a graph
 * pass, the layout, or the statistics), so the balanced trees that the coalesce-ranges and
 * weighted-tree passes replace cost nothing when nobody reads their size.
 */
record Draft(
        Policy policy,
        Map<String, Long> frequency,
        List<ArchDraft> arches,
        Supplier<Block> graph,
        BlockFactory blocks) {

    /** One arch: its intervals over the number space, a block per outcome, the tree over them. */
    record ArchDraft(ArchPolicy policy, List<Interval> intervals, Map<Outcome, Block> leaves, Supplier<Block> tree) {
        ArchDraft withTree(List<Interval> iv, Supplier<Block> t) {
            return new ArchDraft(policy, iv, leaves, memo(t));
        }
    }

    /** The block graph: the arch dispatch at its root. */
    Block root() {
        return graph.get();
    }

    /** Stage lower: every arch's number line (one interval per number and per gap) and outcome blocks. */
    static Draft lower(Policy policy, Map<String, Long> frequency) {
        BlockFactory blocks = new BlockFactory(false);
        CondLowering lowering = new CondLowering(blocks);
        List<ArchDraft> arches = new ArrayList<>();
        for (ArchPolicy ap : policy.arches()) {
            List<Interval> intervals = NumberLine.of(ap, policy.badArchAction());
            Map<Outcome, Block> leaves = new LinkedHashMap<>();
            for (Interval iv : intervals) {
                leaves.computeIfAbsent(iv.outcome(), o -> outcomeBlock(o, lowering, blocks));
            }
            arches.add(new ArchDraft(ap, intervals, Map.copyOf(leaves), null));
        }
        return new Draft(policy, frequency, List.copyOf(arches), () -> null, blocks);
    }

    /** Stage search-tree: each arch's tree balanced by interval count, behind the arch dispatch. */
    Draft balanced() {
        return withTrees(a ->
                a.withTree(a.intervals(), () -> tree(a, a.intervals()).balanced()));
    }

    /** Pass coalesce-ranges: adjacent intervals with equal outcomes merged, the trees rebuilt over them. */
    Draft coalesced() {
        return withTrees(a -> {
            List<Interval> merged = NumberLine.coalesce(a.intervals());
            return a.withTree(merged, () -> tree(a, merged).balanced());
        });
    }

    /** Pass weighted-tree: each arch's tree the weighted optimum over its intervals. */
    Draft weighted() {
        return withTrees(a -> {
            Block t = TreeWeights.optimal(tree(a, a.intervals()), a.policy(), a.intervals(), frequency);
            return a.withTree(a.intervals(), () -> t);
        });
    }

    /** Pass shared-tails: the graph with every block made once. */
    Draft shared() {
        BlockFactory sharing = new BlockFactory(true);
        Block shared = SharedTails.apply(root(), sharing);
        return new Draft(policy, frequency, arches, () -> shared, sharing);
    }

    /** Pass redundant-loads. */
    Draft withoutRedundantLoads() {
        Block fewer = LoadElimination.apply(root(), blocks);
        return new Draft(policy, frequency, arches, () -> fewer, blocks);
    }

    /** The program this draft lays out to: the layout stage's output, and how the statistics size a draft. */
    Program layout() {
        return ProgramBuilder.build(root());
    }

    /** The search over {@code intervals} of arch {@code a}, outcomes numbered in order of first appearance. */
    private SearchTree tree(ArchDraft a, List<Interval> intervals) {
        Map<Outcome, Integer> ids = new HashMap<>();
        int[] outcome = new int[intervals.size()];
        List<Block> leaves = new ArrayList<>();
        for (int i = 0; i < intervals.size(); i++) {
            Outcome o = intervals.get(i).outcome();
            outcome[i] = ids.computeIfAbsent(o, x -> {
                leaves.add(a.leaves().get(x));
                return leaves.size() - 1;
            });
        }
        return new SearchTree(intervals, outcome, leaves.toArray(Block[]::new), blocks);
    }

    /**
     * The draft with each arch's tree rebuilt by {@code rebuild}, and the arch dispatch over them:
     * a new graph, so what graph passes did before is gone (they run after the tree passes).
     */
    private Draft withTrees(UnaryOperator<ArchDraft> rebuild) {
        List<ArchDraft> rebuilt = arches.stream().map(rebuild).toList();
        return new Draft(policy, frequency, rebuilt, memo(() -> dispatch(rebuilt)), blocks);
    }

    private Block dispatch(List<ArchDraft> trees) {
        Block next = blocks.ret(policy.badArchAction().seccompRet(), "bad_arch");
        for (int i = trees.size() - 1; i >= 0; i--) {
            ArchDraft a = trees.get(i);
            next = blocks.jump(
                    i == 0 ? Bpf.SECCOMP_DATA_ARCH : Block.NO_LOAD,
                    Block.FULL_MASK,
                    Bpf.BPF_JEQ,
                    a.policy().arch().auditArch(),
                    a.tree().get(),
                    next,
                    "arch " + a.policy().arch());
        }
        return next;
    }

    /** {@code s}'s value, computed once, on first use. */
    private static <T> Supplier<T> memo(Supplier<T> s) {
        Object[] value = new Object[1];
        boolean[] done = new boolean[1];
        return () -> {
            synchronized (value) {
                if (!done[0]) {
                    value[0] = s.get();
                    done[0] = true;
                }
                @SuppressWarnings("unchecked")
                T t = (T) value[0];
                return t;
            }
        };
    }

    private static Block outcomeBlock(Outcome o, CondLowering lowering, BlockFactory blocks) {
        Block next = ret(o.fallback(), blocks);
        for (int i = o.steps().size() - 1; i >= 0; i--) {
            Outcome.Step s = o.steps().get(i);
            next = lowering.lower(s.when(), ret(s.action(), blocks), next);
        }
        return next;
    }

    private static Block ret(Action a, BlockFactory blocks) {
        return blocks.ret(a.seccompRet(), a.toString());
    }
}
