package dev.syscage.policy.bpf;

import static dev.syscage.policy.bpf.Opcodes.*;

import dev.syscage.policy.seccomp.SeccompRet;
import java.util.BitSet;

/**
 * Predicts the kernel's seccomp action cache (kernel/seccomp.c, since Linux 5.11): when a filter
 * is attached, the kernel emulates it for every syscall number of the native and compat arch
 * with the arguments unknown, and syscalls for which the filter surely returns
 * SECCOMP_RET_ALLOW skip the filter from then on. Knowing which syscalls get that fast path
 * tells whether a compiled policy keeps hot syscalls cheap.
 *
 * <p>This is {@code seccomp_is_const_allow} exactly: with
 * A starting at 0 it follows only {@code ld [0]} (nr), {@code ld [4]} (arch), {@code ja},
 * {@code jeq/jge/jgt/jset #k}, {@code and #k} and {@code ret #k}; any other instruction on the
 * way — a load of an argument or of the instruction pointer, a jump on X, any other ALU op,
 * {@code ret a} — makes it give up, and the syscall is not cached. A {@code ret #k} caches only
 * when k is exactly SECCOMP_RET_ALLOW (0x7fff0000, no data bits).
 *
 * <p>Not modelled: newer kernels always treat uretprobe/uprobe (x86_64) as allowed before
 * emulating the filter, and with several filters a syscall is cached only if every filter
 * allows it.
 */
public final class KernelCache {
    private KernelCache() {}

    /**
     * True when, for this arch and syscall number, {@code p} certainly returns
     * SECCOMP_RET_ALLOW whatever the arguments and instruction pointer — the kernel would then
     * set the syscall's bit in its allow cache.
     */
    public static boolean isConstantAllow(Program p, int auditArch, int nr) {
        int n = p.length();
        int a = 0;
        long pc = 0;
        while (pc < n) {
            Insn in = p.get((int) pc);
            int k = in.k();
            switch (in.code()) {
                case LD_W_ABS -> {
                    if (k == Bpf.SECCOMP_DATA_NR) {
                        a = nr;
                    } else if (k == Bpf.SECCOMP_DATA_ARCH) {
                        a = auditArch;
                    } else {
                        return false; // a value that is not constant: args or ip
                    }
                }
                case RET_K -> {
                    return k == SeccompRet.SECCOMP_RET_ALLOW;
                }
                case JA -> pc += Integer.toUnsignedLong(k);
                case JEQ_K -> pc += a == k ? in.jt() : in.jf();
                case JGE_K -> pc += Integer.compareUnsigned(a, k) >= 0 ? in.jt() : in.jf();
                case JGT_K -> pc += Integer.compareUnsigned(a, k) > 0 ? in.jt() : in.jf();
                case JSET_K -> pc += (a & k) != 0 ? in.jt() : in.jf();
                case AND_K -> a &= k;
                default -> {
                    return false; // the kernel's emulator does not follow this instruction
                }
            }
            pc++;
        }
        return false; // ran off the end: only possible for a program the verifier refuses
    }

    /**
     * The syscall numbers 0 to {@code maxNr} (inclusive) that the kernel would cache as always
     * allowed for {@code auditArch}.
     */
    public static BitSet constantAllow(Program p, int auditArch, int maxNr) {
        BitSet allowed = new BitSet(maxNr + 1);
        for (int nr = 0; nr <= maxNr; nr++) {
            if (isConstantAllow(p, auditArch, nr)) {
                allowed.set(nr);
            }
        }
        return allowed;
    }
}
