package dev.syscage.policy.oci;

/**
 * How to export a policy to OCI JSON. {@code degrade}: what to do with a syscall whose rules
 * OCI cannot express (NONE: refuse, naming the rule; ERRNO: give it {@code SCMP_ACT_ERRNO}
 * (EPERM) for every call; ALLOW: allow every call), each change reported as a warning.
 * {@code maxEntriesPerSyscall}: the most OCI entries one syscall may need before it counts as
 * not expressible (exact conditions on 32-bit arguments and negations can need many).
 */
public record ExportOptions(Degrade degrade, int maxEntriesPerSyscall) {

    public enum Degrade {
        NONE,
        ERRNO,
        ALLOW
    }

    public static final int DEFAULT_MAX_ENTRIES = 256;

    public ExportOptions {
        if (degrade == null) {
            throw new IllegalArgumentException("degrade must be NONE, ERRNO or ALLOW");
        }
        if (maxEntriesPerSyscall < 1) {
            throw new IllegalArgumentException("maxEntriesPerSyscall must be at least 1, got " + maxEntriesPerSyscall);
        }
    }

    public ExportOptions(Degrade degrade) {
        this(degrade, DEFAULT_MAX_ENTRIES);
    }

    /** Refuse what cannot be expressed; at most {@value #DEFAULT_MAX_ENTRIES} entries per syscall. */
    public static ExportOptions defaults() {
        return new ExportOptions(Degrade.NONE);
    }
}
