package dev.syscage.policy.validate;

import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.model.Policy;
import java.util.List;

/** A policy that loaded without errors, and the warnings found on the way (in source order). */
public record LoadResult(Policy policy, List<Diagnostic> warnings) {
    public LoadResult {
        warnings = List.copyOf(warnings);
    }
}
