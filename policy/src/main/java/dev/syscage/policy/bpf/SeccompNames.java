package dev.syscage.policy.bpf;

import java.util.Map;

/**
 * Human names for the numbers a seccomp filter handles: the fields of {@code struct seccomp_data}
 * by offset and the AUDIT_ARCH_* values of include/uapi/linux/audit.h. Used to comment
 * disassembly and messages; nothing decides on them.
 */
public final class SeccompNames {
    private SeccompNames() {}

    private static final Map<Integer, String> AUDIT_ARCHES = Map.ofEntries(
            Map.entry(0xC000003E, "AUDIT_ARCH_X86_64"),
            Map.entry(0x40000003, "AUDIT_ARCH_I386"),
            Map.entry(0xC00000B7, "AUDIT_ARCH_AARCH64"),
            Map.entry(0x40000028, "AUDIT_ARCH_ARM"),
            Map.entry(0x00000028, "AUDIT_ARCH_ARMEB"),
            Map.entry(0xC00000F3, "AUDIT_ARCH_RISCV64"),
            Map.entry(0x400000F3, "AUDIT_ARCH_RISCV32"),
            Map.entry(0x80000015, "AUDIT_ARCH_PPC64"),
            Map.entry(0xC0000015, "AUDIT_ARCH_PPC64LE"),
            Map.entry(0x00000014, "AUDIT_ARCH_PPC"),
            Map.entry(0x80000016, "AUDIT_ARCH_S390X"),
            Map.entry(0x00000016, "AUDIT_ARCH_S390"),
            Map.entry(0x00000008, "AUDIT_ARCH_MIPS"),
            Map.entry(0x40000008, "AUDIT_ARCH_MIPSEL"),
            Map.entry(0x80000008, "AUDIT_ARCH_MIPS64"),
            Map.entry(0xC0000008, "AUDIT_ARCH_MIPSEL64"),
            Map.entry(0xC0000102, "AUDIT_ARCH_LOONGARCH64"));

    /**
     * The seccomp_data word at {@code offset}: {@code nr}, {@code arch}, {@code ip lo},
     * {@code ip hi}, {@code arg0 lo} ... {@code arg5 hi} (halves as on little-endian machines);
     * {@code null} when the offset is not an aligned word inside the struct.
     */
    public static String field(int offset) {
        if (Integer.compareUnsigned(offset, Bpf.SECCOMP_DATA_SIZE) >= 0 || (offset & 3) != 0) {
            return null;
        }
        if (offset == Bpf.SECCOMP_DATA_NR) {
            return "nr";
        }
        if (offset == Bpf.SECCOMP_DATA_ARCH) {
            return "arch";
        }
        String half = (offset & 4) == 0 ? " lo" : " hi";
        if (offset < Bpf.SECCOMP_DATA_ARGS) {
            return "ip" + half;
        }
        return "arg" + (offset - Bpf.SECCOMP_DATA_ARGS) / 8 + half;
    }

    /** {@code AUDIT_ARCH_X86_64} for 0xc000003e, or {@code null} for a value not known here. */
    public static String auditArch(int value) {
        return AUDIT_ARCHES.get(value);
    }
}
