package dev.syscage.policy.validate;

import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.model.Policy;
import java.nio.file.Path;
import java.util.List;

/**
 * A policy that loaded without errors, the warnings found on the way (in source order), and the
 * files on disk it was read from (the top one and every one it includes; shipped profiles are not
 * files), which the run cache keys an entry by.
 */
public record LoadResult(Policy policy, List<Diagnostic> warnings, List<Path> files) {
    public LoadResult {
        warnings = List.copyOf(warnings);
        files = List.copyOf(files);
    }
}
