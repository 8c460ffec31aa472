package dev.syscage.policy.build;

import dev.syscage.policy.bpf.Bpf;
import dev.syscage.policy.bpf.Insn;
import dev.syscage.policy.bpf.Program;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lays a block graph out as a linear cBPF program. Blocks are placed in a topological order
 * (every jump goes forward, as the kernel requires), then emitted back to front: when a block is
 * emitted, all of its targets are already placed, so each jump's distance is known exactly. A
 * conditional jump farther than 255 instructions gets a trampoline placed right after it: a copy
 * of the target when the target is a {@code ret}, otherwise a {@code ja} (whose offset is 32
 * bits). Later far jumps to the same target reuse the nearest copy.
 */
public final class ProgramBuilder {
    private static final int MAX_COND_JUMP = 255;

    private final List<Insn> reversed = new ArrayList<>();
    /** For each block, the nearest emitted place (counted from the end) that behaves like it. */
    private final Map<Block, Integer> nearest = new IdentityHashMap<>();

    private ProgramBuilder() {}

    public static Program build(Block root) {
        ProgramBuilder b = new ProgramBuilder();
        List<Block> order = layout(root);
        for (int i = order.size() - 1; i >= 0; i--) {
            b.emit(order.get(i));
        }
        List<Insn> insns = new ArrayList<>(b.reversed);
        Collections.reverse(insns);
        return new Program(insns);
    }

    /** Topological order by depth-first reverse postorder; returns go last, most used first. */
    static List<Block> layout(Block root) {
        List<Block> post = new ArrayList<>();
        Set<Block> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<Block, Integer> uses = new IdentityHashMap<>();
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        seen.add(root);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Block b = (Block) top[0];
            int state = (Integer) top[1];
            if (b.isRet() || state == 2) {
                stack.pop();
                post.add(b);
                continue;
            }
            // visit jf first so that, after reversal, the jt subtree comes right after its parent
            Block next = state == 0 ? b.jf() : b.jt();
            top[1] = state + 1;
            uses.merge(next, 1, Integer::sum);
            if (seen.add(next)) {
                stack.push(new Object[] {next, 0});
            }
        }
        Collections.reverse(post);
        List<Block> body = new ArrayList<>();
        List<Block> rets = new ArrayList<>();
        for (Block b : post) {
            (b.isRet() ? rets : body).add(b);
        }
        rets.sort((x, y) -> Integer.compare(uses.getOrDefault(y, 0), uses.getOrDefault(x, 0)));
        body.addAll(rets);
        return body;
    }

    /** Position, counted from the end, that the next emitted instruction gets. */
    private int here() {
        return reversed.size();
    }

    private void emit(Block b) {
        if (b.isRet()) {
            reversed.add(Insn.stmt(b.code(), b.k()));
            nearest.put(b, here() - 1);
            return;
        }
        // the jump is emitted first (it is the block's last instruction), trampolines after it
        // in program order, i.e. before it in this reversed list
        int jt = reach(b.jt());
        int jf = reach(b.jf());
        int self = here();
        reversed.add(Insn.jump(b.code(), b.k(), self - jt - 1, self - jf - 1));
        if (b.andMask() != Block.FULL_MASK) {
            reversed.add(Insn.stmt(Bpf.BPF_ALU | Bpf.BPF_AND | Bpf.BPF_K, b.andMask()));
        }
        if (b.hasLoad()) {
            reversed.add(Insn.stmt(Bpf.BPF_LD | Bpf.BPF_W | Bpf.BPF_ABS, b.loadOffset()));
        }
        nearest.put(b, here() - 1);
    }

    /**
     * Where a conditional jump emitted next may land to reach {@code target}: the target itself
     * or a trampoline, which this method emits when the target is too far.
     */
    private int reach(Block target) {
        Integer at = nearest.get(target);
        if (at == null) {
            throw new IllegalStateException(
                    "jump to '" + target.label() + "' goes backwards: layout is not topological");
        }
        // the jump will sit at here() (if no other trampoline comes first), offset = here() - at - 1;
        // leave room for the second target's trampoline
        if (here() + 1 - at - 1 <= MAX_COND_JUMP) {
            return at;
        }
        if (target.isRet()) {
            reversed.add(Insn.stmt(target.code(), target.k()));
        } else {
            int self = here();
            reversed.add(Insn.stmt(Bpf.BPF_JMP | Bpf.BPF_JA, self - at - 1));
        }
        nearest.put(target, here() - 1);
        return here() - 1;
    }

    /** Distinct blocks reachable from {@code root} (for statistics and tests). */
    public static int countBlocks(Block root) {
        Set<Block> seen = new HashSet<>();
        Deque<Block> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Block b = todo.pop();
            if (seen.add(b) && !b.isRet()) {
                todo.push(b.jt());
                todo.push(b.jf());
            }
        }
        return seen.size();
    }
}
