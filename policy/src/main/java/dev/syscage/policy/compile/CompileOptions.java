package dev.syscage.policy.compile;

import java.util.Map;

/**
 * How to compile. {@code optimize} off skips every optimization (range coalescing, the weighted
 * search tree, shared tails, redundant-load removal): the program is larger and slower but makes
 * the same decisions, which tests check. {@code frequency} (syscall name → relative count)
 * replaces the policy's and the shipped table when not empty.
 */
public record CompileOptions(boolean optimize, Map<String, Long> frequency) {

    public CompileOptions {
        frequency = Map.copyOf(frequency);
    }

    public static CompileOptions defaults() {
        return new CompileOptions(true, Map.of());
    }

    public static CompileOptions unoptimized() {
        return new CompileOptions(false, Map.of());
    }
}
