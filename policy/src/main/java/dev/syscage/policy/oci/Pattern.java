package dev.syscage.policy.oci;

import java.util.Optional;

/**
 * The set of 64-bit argument values {@code x} with {@code (x & mask) == value}: exactly what one
 * {@code SCMP_CMP_MASKED_EQ} comparison matches. {@code mask == 0} is every value. It is the unit
 * of {@link ArgSet}, which describes any set a syscage test can select as a union of these, so
 * that the exporter can write it with comparisons libseccomp evaluates the same way.
 */
record Pattern(long mask, long value) {

    static final Pattern ANY = new Pattern(0, 0);

    /** {@code value} must lie inside {@code mask}; bits outside it could never match. */
    Pattern {
        if ((value & ~mask) != 0) {
            throw new IllegalArgumentException(
                    "value 0x" + Long.toHexString(value) + " has bits outside mask 0x" + Long.toHexString(mask));
        }
    }

    boolean matches(long x) {
        return (x & mask) == value;
    }

    /** The values in both, if any. */
    Optional<Pattern> intersect(Pattern o) {
        if (((value ^ o.value) & mask & o.mask) != 0) {
            return Optional.empty();
        }
        return Optional.of(new Pattern(mask | o.mask, value | o.value));
    }

    /** Whether every value {@code o} matches is also matched by this one. */
    boolean covers(Pattern o) {
        return (mask & o.mask) == mask && (o.value & mask) == value;
    }

    @Override
    public String toString() {
        return "(x & 0x" + Long.toHexString(mask) + ") == 0x" + Long.toHexString(value);
    }
}
