package dev.syscage.policy.arch;

import java.util.Set;

/**
 * A syscall parameter: its index, name and C type, and {@code width}, the number of low bits of
 * the register the kernel actually uses (the syscall wrappers truncate to the declared type).
 */
public record Param(int index, String name, String ctype, int width) {

    private static final Set<String> SIXTEEN = Set.of("umode_t", "old_uid_t", "old_gid_t", "unsigned short", "u16");
    private static final Set<String> THIRTY_TWO = Set.of(
            "int",
            "unsigned int",
            "unsigned",
            "signed int",
            "u32",
            "__u32",
            "s32",
            "__s32",
            "pid_t",
            "uid_t",
            "gid_t",
            "qid_t",
            "key_serial_t",
            "clockid_t",
            "timer_t",
            "mqd_t",
            "rwf_t",
            "unsigned int __user",
            "__kernel_old_uid_t",
            "old_sigset_t",
            "compat_uint_t",
            "key_perm_t",
            "key_t");

    /** The width of a C type on an arch: pointers and longs are register-wide. */
    public static int widthOf(String ctype, Arch arch) {
        String t = ctype.replace("const ", "").replace("volatile ", "").trim();
        int reg = arch.registerBits();
        if (t.contains("*")) {
            return reg;
        }
        if (SIXTEEN.contains(t)) {
            return 16;
        }
        if (THIRTY_TWO.contains(t) || t.startsWith("enum ")) {
            return 32; // C enums are int-sized on every arch we support
        }
        return reg == 32 ? 32 : 64;
    }
}
