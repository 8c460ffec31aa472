package dev.syscage.policy.compile;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The optimizer passes, in the order the compiler runs them. Each is pure (a {@link Draft} in, a
 * new one out) and can be switched off alone ({@link CompileOptions#without}); with every pass
 * off the program is the unoptimized one, larger but making the same decisions. The interval
 * passes come first (they rebuild each arch's search tree), the graph passes after them (they
 * rewrite the block graph the trees make, so an interval pass after them would undo them).
 */
public enum Pass {
    /** Adjacent syscall numbers with equal outcomes become one interval (runs after: lower). */
    COALESCE_RANGES("coalesce-ranges", "merge adjacent numbers with the same outcome into one interval"),
    /** The search tree shaped by weights (else balanced by interval count; runs after: coalesce-ranges). */
    WEIGHTED_TREE("weighted-tree", "shape the search tree by syscall frequency and path length"),
    /** Identical blocks merged, one copy of each tail (runs after: the interval passes). */
    SHARED_TAILS("shared-tails", "merge identical blocks: one ret per action, one copy of each check"),
    /** Loads of a word the accumulator already holds dropped (runs after: shared-tails). */
    REDUNDANT_LOADS("redundant-loads", "drop loads of a word the accumulator already holds");

    private final String id;
    private final String summary;

    Pass(String id, String summary) {
        this.id = id;
        this.summary = summary;
    }

    /** The name the command line and the statistics use. */
    public String id() {
        return id;
    }

    public String summary() {
        return summary;
    }

    Draft apply(Draft d) {
        return switch (this) {
            case COALESCE_RANGES -> d.coalesced();
            case WEIGHTED_TREE -> d.weighted();
            case SHARED_TAILS -> d.shared();
            case REDUNDANT_LOADS -> d.withoutRedundantLoads();
        };
    }

    /** The pass named {@code id}; IllegalArgumentException naming the known ones otherwise. */
    public static Pass byId(String id) {
        for (Pass p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown optimizer pass '" + id + "' (known: " + names() + ")");
    }

    /** The passes' names in order, comma-separated. */
    public static String names() {
        return Arrays.stream(values()).map(Pass::id).collect(Collectors.joining(", "));
    }
}
