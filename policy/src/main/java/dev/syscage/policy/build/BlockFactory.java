package dev.syscage.policy.build;

import dev.syscage.policy.bpf.Bpf;
import java.util.HashMap;
import java.util.Map;

/**
 * Makes {@link Block}s. With {@code share} on, a block equal to one made before is returned
 * instead of a copy (hash-consing), which merges every identical tail of the graph: one
 * {@code ret} per distinct action, one argument check per distinct condition chain.
 */
public final class BlockFactory {
    private final boolean share;
    private final Map<Block, Block> interned = new HashMap<>();

    public BlockFactory(boolean share) {
        this.share = share;
    }

    public Block ret(int value, String label) {
        return make(new Block(Block.NO_LOAD, Block.FULL_MASK, Bpf.BPF_RET | Bpf.BPF_K, value, null, null, label));
    }

    /**
     * A conditional jump ({@code BPF_JEQ}, {@code BPF_JGT}, {@code BPF_JGE} or {@code BPF_JSET}
     * against constant {@code k}), preceded by loading the word at {@code loadOffset} (or
     * {@link Block#NO_LOAD}) and ANDing it with {@code andMask}. When both targets are the same
     * block the test is pointless and that block is returned instead.
     */
    public Block jump(int loadOffset, int andMask, int jop, int k, Block jt, Block jf, String label) {
        if (jt == jf) {
            return jt;
        }
        return make(new Block(loadOffset, andMask, Bpf.BPF_JMP | jop | Bpf.BPF_K, k, jt, jf, label));
    }

    /**
     * A copy of {@code b} with another fetch and other targets (used to drop a load, or a load
     * and its AND, when the accumulator already holds that value).
     */
    public Block refetch(Block b, int loadOffset, int andMask, Block jt, Block jf) {
        if (b.isRet()) {
            return b;
        }
        if (jt == jf && loadOffset == Block.NO_LOAD && andMask == Block.FULL_MASK) {
            return jt;
        }
        return make(new Block(loadOffset, andMask, b.code(), b.k(), jt, jf, b.label()));
    }

    /** A copy of {@code b} pointing at other targets. */
    public Block retarget(Block b, Block jt, Block jf) {
        if (b.isRet()) {
            return b;
        }
        if (jt == jf) {
            return jt;
        }
        return make(new Block(b.loadOffset(), b.andMask(), b.code(), b.k(), jt, jf, b.label()));
    }

    private Block make(Block b) {
        if (!share) {
            return b;
        }
        Block prior = interned.putIfAbsent(b, b);
        return prior == null ? b : prior;
    }
}
