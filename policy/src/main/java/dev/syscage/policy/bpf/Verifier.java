package dev.syscage.policy.bpf;

import static dev.syscage.policy.bpf.Opcodes.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Says, before a filter reaches the kernel, whether the kernel will take it — and if not, why,
 * with the pc of every fault. It applies the same rules as {@code bpf_check_classic} and
 * {@code check_load_and_stores} (net/core/filter.c) followed by {@code seccomp_check_filter}
 * (kernel/seccomp.c):
 * <ul>
 * <li>1 to {@link Bpf#BPF_MAXINSNS} instructions;</li>
 * <li>only the opcodes seccomp lists (notably no {@code BPF_MOD}, no byte/half-word or indirect
 *     loads); {@code BPF_LD|BPF_W|BPF_ABS} only of an aligned word inside seccomp_data;</li>
 * <li>no division by constant zero, no constant shift of 32 or more, scratch index below 16;</li>
 * <li>every jump target inside the program (jumps only go forward, so with a {@code ret} last
 *     every path ends in a {@code ret});</li>
 * <li>scratch memory read only where every path has written it, computed the way the kernel
 *     does (see {@link #checkScratchMemory}).</li>
 * </ul>
 * Unlike the kernel, which stops at the first fault, every fault is reported.
 */
public final class Verifier {
    private Verifier() {}

    /** Every reason the kernel would refuse {@code p}, ordered by pc; empty when it is valid. */
    public static List<VerifierError> verify(Program p) {
        List<VerifierError> errors = new ArrayList<>();
        int n = p.length();
        if (n == 0) {
            errors.add(new VerifierError(
                    VerifierError.PROGRAM, "filter is empty; the kernel needs at least 1 instruction"));
            return errors;
        }
        if (n > Bpf.BPF_MAXINSNS) {
            errors.add(new VerifierError(
                    VerifierError.PROGRAM,
                    "filter has " + n + " instructions; the kernel accepts " + Bpf.BPF_MAXINSNS));
        }
        for (int pc = 0; pc < n; pc++) {
            checkInstruction(p.get(pc), pc, n, errors);
        }
        Insn last = p.get(n - 1);
        if (!isRet(last.code())) {
            errors.add(
                    new VerifierError(n - 1, "the last instruction must be a ret, found " + Opcodes.name(last.code())));
        }
        checkScratchMemory(p, errors);
        errors.sort(Comparator.comparingInt(VerifierError::pc));
        return errors;
    }

    /** Throws {@link ProgramVerificationException} listing every error when {@code p} is invalid. */
    public static void check(Program p) {
        List<VerifierError> errors = verify(p);
        if (!errors.isEmpty()) {
            throw new ProgramVerificationException(errors);
        }
    }

    private static void checkInstruction(Insn in, int pc, int n, List<VerifierError> errors) {
        int k = in.k();
        String problem = switch (in.code()) {
            case LD_W_ABS -> checkLoadOffset(k);
            case DIV_K -> k == 0 ? "division by constant zero" : null;
            case LSH_K, RSH_K ->
                Integer.compareUnsigned(k, 32) >= 0
                        ? "shift by " + Integer.toUnsignedString(k) + " is out of range (0..31)"
                        : null;
            case LD_MEM, LDX_MEM, ST, STX ->
                Integer.compareUnsigned(k, Bpf.BPF_MEMWORDS) >= 0
                        ? "scratch memory index " + Integer.toUnsignedString(k) + " is out of range (M[0]..M[15])"
                        : null;
            case JA -> targetProblem(pc + 1 + Integer.toUnsignedLong(k), n);
            case JEQ_K, JEQ_X, JGT_K, JGT_X, JGE_K, JGE_X, JSET_K, JSET_X -> {
                addIfPresent(errors, pc, targetProblem(pc + 1 + in.jt(), n));
                yield in.jf() == in.jt() ? null : targetProblem(pc + 1 + in.jf(), n);
            }
            case LD_W_LEN,
                    LDX_W_LEN,
                    LD_IMM,
                    LDX_IMM,
                    TAX,
                    TXA,
                    RET_K,
                    RET_A,
                    NEG,
                    ADD_K,
                    ADD_X,
                    SUB_K,
                    SUB_X,
                    MUL_K,
                    MUL_X,
                    DIV_X,
                    AND_K,
                    AND_X,
                    OR_K,
                    OR_X,
                    XOR_K,
                    XOR_X,
                    LSH_X,
                    RSH_X -> null;
            default ->
                "opcode 0x" + String.format("%02x", in.code()) + " (" + Opcodes.name(in.code())
                        + ") is not allowed in a seccomp filter";
        };
        addIfPresent(errors, pc, problem);
    }

    private static void addIfPresent(List<VerifierError> errors, int pc, String problem) {
        if (problem != null) {
            errors.add(new VerifierError(pc, problem));
        }
    }

    /** seccomp_check_filter: {@code k >= sizeof(struct seccomp_data) || k & 3} is refused. */
    private static String checkLoadOffset(int k) {
        if (Integer.compareUnsigned(k, Bpf.SECCOMP_DATA_SIZE) >= 0) {
            return "load of offset " + Integer.toUnsignedString(k) + " is outside struct seccomp_data ("
                    + Bpf.SECCOMP_DATA_SIZE + " bytes)";
        }
        if ((k & 3) != 0) {
            return "load of offset " + k + " is not 4-byte aligned";
        }
        return null;
    }

    private static String targetProblem(long target, int n) {
        return target >= n ? "jump target " + target + " is past the end (length " + n + ")" : null;
    }

    /**
     * The kernel's {@code check_load_and_stores}, step for step: walking the program in order,
     * {@code valid} holds the scratch words written on the way here. A jump passes its
     * {@code valid} on to its targets (intersected with what other jumps there bring) and the
     * instruction after a jump starts from what its jumpers brought. After a {@code ret} the
     * kernel does not reset {@code valid}, so code after a {@code ret} is judged with what was
     * valid before it as well — stricter than a path-exact analysis, and copied on purpose, since
     * the point is to predict the kernel.
     */
    static void checkScratchMemory(Program p, List<VerifierError> errors) {
        int n = p.length();
        int[] masks = new int[n];
        Arrays.fill(masks, 0xFFFF);
        int valid = 0;
        for (int pc = 0; pc < n; pc++) {
            valid &= masks[pc];
            Insn in = p.get(pc);
            int k = in.k();
            boolean inRange = Integer.compareUnsigned(k, Bpf.BPF_MEMWORDS) < 0;
            switch (in.code()) {
                case ST, STX -> valid |= inRange ? 1 << k : 0;
                case LD_MEM, LDX_MEM -> {
                    if (inRange && (valid & (1 << k)) == 0) {
                        errors.add(new VerifierError(
                                pc, "M[" + k + "] is read before it is written on every path to here"));
                    }
                }
                case JA -> {
                    mergeInto(masks, pc + 1 + Integer.toUnsignedLong(k), valid);
                    valid = 0xFFFF;
                }
                case JEQ_K, JEQ_X, JGT_K, JGT_X, JGE_K, JGE_X, JSET_K, JSET_X -> {
                    mergeInto(masks, pc + 1 + in.jt(), valid);
                    mergeInto(masks, pc + 1 + in.jf(), valid);
                    valid = 0xFFFF;
                }
                default -> {}
            }
        }
    }

    private static void mergeInto(int[] masks, long target, int valid) {
        if (target < masks.length) {
            masks[(int) target] &= valid;
        }
    }
}
