package dev.syscage.policy.oci;

/**
 * Thrown inside the OCI conversion when a condition would need more comparisons or entries than
 * the configured limit. Callers turn it into an error (or a degradation) that names the rule.
 */
final class TooComplexException extends RuntimeException {
    private final long size;

    TooComplexException(long size) {
        super("needs " + size + " comparisons or entries", null, false, false);
        this.size = size;
    }

    /** How many were needed when the limit was hit (a lower bound). */
    long size() {
        return size;
    }
}
