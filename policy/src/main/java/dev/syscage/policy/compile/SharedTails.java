package dev.syscage.policy.compile;

import dev.syscage.policy.build.Block;
import dev.syscage.policy.build.BlockFactory;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The shared-tails pass: rebuilds the graph bottom-up through a sharing {@link BlockFactory},
 * so blocks with the same fetch, terminal and (already merged) targets become one: one
 * {@code ret} per action, one copy of each argument check. A test whose two targets become the
 * same block is dropped, as {@link BlockFactory#jump} drops it when the graph is built sharing.
 */
final class SharedTails {
    private SharedTails() {}

    static Block apply(Block root, BlockFactory sharing) {
        Map<Block, Block> merged = new IdentityHashMap<>();
        Deque<Block> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Block b = todo.peek();
            if (merged.containsKey(b)) {
                todo.pop();
            } else if (b.isRet()) {
                merged.put(todo.pop(), sharing.ret(b.k(), b.label()));
            } else if (!merged.containsKey(b.jt())) {
                todo.push(b.jt());
            } else if (!merged.containsKey(b.jf())) {
                todo.push(b.jf());
            } else {
                Block jt = merged.get(b.jt());
                Block jf = merged.get(b.jf());
                merged.put(todo.pop(), jt == jf ? jt : sharing.refetch(b, b.loadOffset(), b.andMask(), jt, jf));
            }
        }
        return merged.get(root);
    }
}
