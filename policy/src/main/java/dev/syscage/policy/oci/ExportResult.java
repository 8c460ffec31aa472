package dev.syscage.policy.oci;

import java.util.List;

/** An exported OCI profile and what in it does not mean exactly what the policy means. */
public record ExportResult(String json, List<String> warnings) {
    public ExportResult {
        warnings = List.copyOf(warnings);
    }
}
