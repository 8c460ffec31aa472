package dev.syscage.policy.model;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.SyscallTable;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A policy resolved for one architecture: for each syscall number, its clauses in rule order.
 * Numbers without clauses take {@code defaultAction}; numbers the table does not know, and
 * {@code -1}, take {@code unknownAction}.
 */
public record ArchPolicy(
        Arch arch,
        SyscallTable table,
        Action defaultAction,
        RuleRef defaultRef,
        Action unknownAction,
        RuleRef unknownRef,
        SortedMap<Integer, List<Clause>> clauses) {

    public ArchPolicy {
        TreeMap<Integer, List<Clause>> copy = new TreeMap<>();
        for (Map.Entry<Integer, List<Clause>> e : clauses.entrySet()) {
            copy.put(e.getKey(), List.copyOf(e.getValue()));
        }
        clauses = java.util.Collections.unmodifiableSortedMap(copy);
    }

    public List<Clause> clausesFor(int nr) {
        return clauses.getOrDefault(nr, List.of());
    }
}
