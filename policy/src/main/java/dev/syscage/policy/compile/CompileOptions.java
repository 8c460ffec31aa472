package dev.syscage.policy.compile;

import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.PolicyException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How to compile. {@code passes} are the optimizer passes that run ({@link Pass}, in its order
 * whatever this set's); with none the program is larger and slower but makes the same decisions,
 * which tests check, as they do for each pass left out alone. {@code frequency} (syscall name →
 * relative count) replaces the policy's and the shipped table when not empty.
 */
public record CompileOptions(Set<Pass> passes, Map<String, Long> frequency) {

    public CompileOptions {
        passes = Collections.unmodifiableSet(passes.isEmpty() ? EnumSet.noneOf(Pass.class) : EnumSet.copyOf(passes));
        frequency = Map.copyOf(frequency);
    }

    /** Every pass ({@code optimize}) or none. */
    public CompileOptions(boolean optimize, Map<String, Long> frequency) {
        this(optimize ? EnumSet.allOf(Pass.class) : EnumSet.noneOf(Pass.class), frequency);
    }

    public static CompileOptions defaults() {
        return new CompileOptions(true, Map.of());
    }

    public static CompileOptions unoptimized() {
        return new CompileOptions(false, Map.of());
    }

    public boolean runs(Pass p) {
        return passes.contains(p);
    }

    public CompileOptions without(Pass p) {
        EnumSet<Pass> left = EnumSet.allOf(Pass.class);
        left.retainAll(passes);
        left.remove(p);
        return new CompileOptions(left, frequency);
    }

    /**
     * These options without the passes named in {@code ids} ({@link Pass#id}); a name that is
     * no pass is an error naming the known ones.
     */
    public CompileOptions without(Collection<String> ids) {
        CompileOptions o = this;
        List<Diagnostic> unknown = new ArrayList<>();
        for (String id : ids) {
            try {
                o = o.without(Pass.byId(id));
            } catch (IllegalArgumentException e) {
                unknown.add(Diagnostic.error(null, e.getMessage()));
            }
        }
        if (!unknown.isEmpty()) {
            throw new PolicyException(unknown);
        }
        return o;
    }
}
