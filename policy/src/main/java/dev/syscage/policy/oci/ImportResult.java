package dev.syscage.policy.oci;

import java.util.List;

/** A policy in syscage's YAML made from an OCI profile, and what the import could not carry over exactly. */
public record ImportResult(String yaml, List<String> warnings) {
    public ImportResult {
        warnings = List.copyOf(warnings);
    }
}
