package dev.syscage.policy.compile;

import dev.syscage.policy.arch.Syscall;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles a validated policy to a seccomp BPF program:
 *
 * <pre>
 *   ld  [arch]                       arch dispatch: one jeq per policy arch, else bad_arch
 *   ld  [nr]                         search tree over the 32-bit number space:
 *   jge/jeq ...                        known syscalls, unknown numbers, x32 (→ bad_arch), -1
 *   leaves: ret ACTION               argument-independent syscalls: decided on nr alone,
 *           ld [argN]; j.. ; ret       so the kernel's action cache can answer them
 * </pre>
 *
 * Stages: {@link NumberLine} (lower to intervals) → outcome blocks ({@link CondLowering}) →
 * {@link SearchTree} → arch dispatch → {@link LoadElimination} → {@link ProgramBuilder} →
 * verification.
 */
public final class PolicyCompiler {
    /** Weight of a number outside the syscall table (so those ranges sink to the bottom). */
    private static final double OUTSIDE_WEIGHT = 1e-3;
    /**
     * How much the frequency mix counts against the uniform one. The uniform part keeps every
     * number's depth low; the frequency part lifts hot syscalls that the kernel's cache does not
     * answer (argument checks, non-allow actions) towards the root.
     */
    private static final double FREQUENCY_SHARE = 1.0;

    private PolicyCompiler() {
    }

    public static CompiledFilter compile(Policy policy, CompileOptions options) {
        BlockFactory blocks = new BlockFactory(options.optimize());
        Block badArch = blocks.ret(policy.badArchAction().seccompRet(), "bad_arch");
        Block next = badArch;
        List<ArchPolicy> arches = policy.arches();
        for (int i = arches.size() - 1; i >= 0; i--) {
            ArchPolicy ap = arches.get(i);
            Block entry = archTree(ap, policy, options, blocks);
            next = blocks.jump(i == 0 ? Bpf.SECCOMP_DATA_ARCH : Block.NO_LOAD, Block.FULL_MASK, Bpf.BPF_JEQ,
                    ap.arch().auditArch(), entry, next, "arch " + ap.arch());
        }
        Block root = next;
        if (options.optimize()) {
            root = LoadElimination.apply(root, blocks);
        }
        Program program = ProgramBuilder.build(root);
        ProgramLimits.check(program, policy.name());
        return new CompiledFilter(policy, program, options);
    }

    private static Block archTree(ArchPolicy ap, Policy policy, CompileOptions options, BlockFactory blocks) {
        List<Interval> intervals = NumberLine.of(ap, policy.badArchAction(), options.optimize());
        Map<Outcome, Integer> ids = new HashMap<>();
        int[] outcome = new int[intervals.size()];
        for (int i = 0; i < intervals.size(); i++) {
            outcome[i] = ids.computeIfAbsent(intervals.get(i).outcome(), o -> ids.size());
        }
        Block[] leaves = new Block[ids.size()];
        CondLowering lowering = new CondLowering(blocks);
        ids.forEach((o, id) -> leaves[id] = outcomeBlock(o, lowering, blocks));
        SearchTree tree = new SearchTree(intervals, outcome, leaves, blocks);
        if (!options.optimize()) {
            return tree.balanced();
        }
        int[] leafCost = new int[leaves.length];
        for (int i = 0; i < leaves.length; i++) {
            leafCost[i] = zeroArgumentCost(leaves[i]);
        }
        boolean[] bounded = new boolean[intervals.size()];
        for (int i = 0; i < bounded.length; i++) {
            bounded[i] = intervals.get(i).lo() <= ap.table().maxNumber();
        }
        return tree.optimal(weights(ap, intervals, frequencies(policy, options)), leafCost, bounded);
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

    private static Map<String, Long> frequencies(Policy policy, CompileOptions options) {
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
