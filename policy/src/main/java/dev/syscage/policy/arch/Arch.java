package dev.syscage.policy.arch;

import java.util.Locale;
import java.util.Optional;

/**
 * The architectures a policy can name. Each carries the AUDIT_ARCH_* value the kernel puts in
 * {@code seccomp_data.arch} and the width of a native register, which decides how wide an
 * argument can be.
 */
public enum Arch {
    X86_64("x86_64", 0xC000003E, 64),
    AARCH64("aarch64", 0xC00000B7, 64),
    I386("i386", 0x40000003, 32);

    /** x32 syscalls on x86_64 carry this bit in their number (__X32_SYSCALL_BIT). */
    public static final int X32_SYSCALL_BIT = 0x40000000;

    private final String yamlName;
    private final int auditArch;
    private final int registerBits;

    Arch(String yamlName, int auditArch, int registerBits) {
        this.yamlName = yamlName;
        this.auditArch = auditArch;
        this.registerBits = registerBits;
    }

    /** The name used in policies and on the command line. */
    public String yamlName() {
        return yamlName;
    }

    /** The AUDIT_ARCH_* constant. */
    public int auditArch() {
        return auditArch;
    }

    public int registerBits() {
        return registerBits;
    }

    public static Optional<Arch> byName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (Arch a : values()) {
            if (a.yamlName.equals(n)) {
                return Optional.of(a);
            }
        }
        // common aliases used by Docker/OCI and uname
        return switch (n) {
            case "amd64", "scmp_arch_x86_64" -> Optional.of(X86_64);
            case "arm64", "scmp_arch_aarch64" -> Optional.of(AARCH64);
            case "x86", "i686", "scmp_arch_x86" -> Optional.of(I386);
            default -> Optional.empty();
        };
    }

    public static Optional<Arch> byAuditArch(int value) {
        for (Arch a : values()) {
            if (a.auditArch == value) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** The architecture of the running JVM, or x86_64 when it is not one we know. */
    public static Arch nativeArch() {
        String osArch = System.getProperty("os.arch", "amd64");
        return byName(osArch).orElse(X86_64);
    }

    @Override
    public String toString() {
        return yamlName;
    }
}
