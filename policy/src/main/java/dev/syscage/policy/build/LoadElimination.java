package dev.syscage.policy.build;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drops loads whose word is already in the accumulator on every path that reaches them (and
 * the AND after them when the masked value is there too). A forward pass over the graph in
 * topological order computes what the accumulator holds on entry to each block; a backward
 * pass rebuilds the graph without the redundant fetches.
 */
public final class LoadElimination {
    /** Accumulator content: a load offset and mask packed in a long; UNKNOWN when paths disagree. */
    private static final long UNKNOWN = Long.MIN_VALUE;

    private static final long UNSET = Long.MIN_VALUE + 1;

    private LoadElimination() {}

    public static Block apply(Block root, BlockFactory blocks) {
        List<Block> order = ProgramBuilder.layout(root);
        Map<Block, Long> in = new IdentityHashMap<>();
        in.put(root, UNKNOWN);
        for (Block b : order) {
            if (b.isRet()) {
                continue;
            }
            long out = after(b, in.getOrDefault(b, UNKNOWN));
            meet(in, b.jt(), out);
            meet(in, b.jf(), out);
        }
        Map<Block, Block> rebuilt = new IdentityHashMap<>();
        for (int i = order.size() - 1; i >= 0; i--) {
            Block b = order.get(i);
            if (b.isRet()) {
                rebuilt.put(b, b);
                continue;
            }
            long acc = in.getOrDefault(b, UNKNOWN);
            int load = b.loadOffset();
            int mask = b.andMask();
            if (b.hasLoad() && acc == pack(load, mask)) {
                load = Block.NO_LOAD;
                mask = Block.FULL_MASK;
            } else if (b.hasLoad() && mask != Block.FULL_MASK && acc == pack(load, Block.FULL_MASK)) {
                load = Block.NO_LOAD;
            }
            rebuilt.put(b, blocks.refetch(b, load, mask, rebuilt.get(b.jt()), rebuilt.get(b.jf())));
        }
        return rebuilt.get(root);
    }

    private static long after(Block b, long acc) {
        if (b.hasLoad()) {
            return pack(b.loadOffset(), b.andMask());
        }
        if (b.andMask() == Block.FULL_MASK || acc == UNKNOWN) {
            return acc;
        }
        int offset = (int) (acc >>> 32);
        int mask = (int) acc;
        return pack(offset, mask & b.andMask());
    }

    private static void meet(Map<Block, Long> in, Block target, long value) {
        long prior = in.getOrDefault(target, UNSET);
        in.put(target, prior == UNSET || prior == value ? value : UNKNOWN);
    }

    private static long pack(int offset, int mask) {
        return ((long) offset << 32) | (mask & 0xFFFFFFFFL);
    }
}
