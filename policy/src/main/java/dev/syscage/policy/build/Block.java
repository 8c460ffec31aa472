package dev.syscage.policy.build;

import dev.syscage.policy.bpf.Bpf;

/**
 * A node of the filter's decision graph: an optional fetch (load a word of seccomp_data into
 * the accumulator, then optionally AND it with a mask) followed by one terminal instruction,
 * either a conditional jump to two other blocks or a return. Blocks never fall through into
 * each other, so any topological order of the graph is a valid layout.
 *
 * <p>Blocks are compared structurally: two blocks with the same fetch, terminal and targets
 * behave identically whatever path reaches them, which is what lets {@link BlockFactory} merge
 * shared tails.
 */
public final class Block {
    /** No fetch: the block uses whatever the accumulator holds. */
    public static final int NO_LOAD = -1;

    public static final int FULL_MASK = 0xFFFFFFFF;

    private final int loadOffset;
    private final int andMask;
    private final int code;
    private final int k;
    private final Block jt;
    private final Block jf;
    private final String label;
    private final int hash;

    Block(int loadOffset, int andMask, int code, int k, Block jt, Block jf, String label) {
        this.loadOffset = loadOffset;
        this.andMask = andMask;
        this.code = code;
        this.k = k;
        this.jt = jt;
        this.jf = jf;
        this.label = label;
        int h = 31 * loadOffset + andMask;
        h = 31 * h + code;
        h = 31 * h + k;
        h = 31 * h + System.identityHashCode(jt);
        h = 31 * h + System.identityHashCode(jf);
        this.hash = h;
    }

    public boolean isRet() {
        return (code & 0x07) == Bpf.BPF_RET;
    }

    public boolean hasLoad() {
        return loadOffset != NO_LOAD;
    }

    public int loadOffset() {
        return loadOffset;
    }

    public int andMask() {
        return andMask;
    }

    /** BPF opcode of the terminal instruction. */
    public int code() {
        return code;
    }

    public int k() {
        return k;
    }

    public Block jt() {
        return jt;
    }

    public Block jf() {
        return jf;
    }

    /** A name for diagnostics (builder errors, debugging); not part of the block's identity. */
    public String label() {
        return label;
    }

    /** Instructions this block emits. */
    public int size() {
        return (hasLoad() ? 1 : 0) + (andMask != FULL_MASK ? 1 : 0) + 1;
    }

    /** Same fetch, same terminal and the very same target blocks. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Block b
                && b.loadOffset == loadOffset
                && b.andMask == andMask
                && b.code == code
                && b.k == k
                && b.jt == jt
                && b.jf == jf;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return label == null ? "block" : label;
    }
}
