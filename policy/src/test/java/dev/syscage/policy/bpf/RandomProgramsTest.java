package dev.syscage.policy.bpf;

import static dev.syscage.policy.bpf.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.seccomp.SeccompRet;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The three tools must agree on generated programs: whatever the verifier accepts, the
 * interpreter runs without a runtime error; whatever the kernel cache calls constant-allow, the
 * interpreter allows for any arguments.
 */
class RandomProgramsTest {

    private static final int[] CODES = {
        LD_W_ABS, LD_W_ABS, LD_W_ABS, LD_W_LEN, LDX_W_LEN, LD_IMM, LDX_IMM, LD_MEM, LDX_MEM, ST, STX, ADD_K, ADD_X,
        SUB_K, SUB_X, MUL_K, MUL_X, DIV_K, DIV_X, AND_K, AND_K, AND_X, OR_K, OR_X, XOR_K, XOR_X, LSH_K, LSH_X, RSH_K,
        RSH_X, NEG, TAX, TXA, JA, JEQ_K, JEQ_K, JEQ_K, JEQ_X, JGT_K, JGT_X, JGE_K, JGE_X, JSET_K, JSET_X, RET_K, RET_K,
        RET_A
    };
    private static final int[] RETS = {
        SeccompRet.SECCOMP_RET_ALLOW,
        SeccompRet.SECCOMP_RET_ALLOW,
        SeccompRet.SECCOMP_RET_ERRNO | 1,
        SeccompRet.SECCOMP_RET_KILL_PROCESS,
        SeccompRet.SECCOMP_RET_LOG,
        SeccompRet.SECCOMP_RET_TRAP
    };
    private static final int[] ARCHES = {0xC000003E, 0x40000003};

    @Test
    void verifiedProgramsRunCleanlyAndCachedSyscallsAreAllowed() {
        Random random = new Random(20240611);
        int verified = 0;
        int cachedChecks = 0;
        for (int i = 0; i < 200_000 && verified < 5_000; i++) {
            Program p = generate(random);
            if (!Verifier.verify(p).isEmpty()) {
                continue;
            }
            verified++;
            for (int t = 0; t < 8; t++) {
                SeccompData d = data(random);
                assertDoesNotThrow(() -> Interpreter.run(p, d), () -> Disassembler.disassemble(p) + d);
                if (KernelCache.isConstantAllow(p, d.arch(), d.nr())) {
                    cachedChecks++;
                    assertEquals(
                            SeccompRet.SECCOMP_RET_ALLOW,
                            Interpreter.eval(p, d),
                            () -> Disassembler.disassemble(p) + d);
                }
            }
        }
        assertTrue(verified >= 1_000, "too few valid programs generated: " + verified);
        assertTrue(cachedChecks >= 100, "too few constant-allow cases: " + cachedChecks);
    }

    private static Program generate(Random r) {
        int n = 2 + r.nextInt(14);
        List<Insn> insns = new ArrayList<>(n);
        for (int pc = 0; pc < n - 1; pc++) {
            insns.add(instruction(r, CODES[r.nextInt(CODES.length)], n - pc - 2));
        }
        insns.add(r.nextInt(4) == 0 ? Insn.stmt(RET_A, 0) : Insn.stmt(RET_K, RETS[r.nextInt(RETS.length)]));
        return new Program(insns);
    }

    /** An instruction with operands that are mostly valid; {@code room} is the longest jump. */
    private static Insn instruction(Random r, int code, int room) {
        int jt = r.nextInt(room + 1);
        int jf = r.nextInt(room + 1);
        int k = switch (code) {
            case LD_W_ABS -> r.nextInt(3) == 0 ? 4 * r.nextInt(16) : 4 * r.nextInt(2);
            case LD_MEM, LDX_MEM, ST, STX -> r.nextInt(3);
            case LSH_K, RSH_K -> r.nextInt(32);
            case DIV_K -> 1 + r.nextInt(5);
            case JA -> r.nextInt(room + 1);
            case RET_K -> RETS[r.nextInt(RETS.length)];
            case JEQ_K, JGT_K, JGE_K -> r.nextBoolean() ? ARCHES[r.nextInt(2)] : r.nextInt(6);
            default -> r.nextBoolean() ? r.nextInt(8) : r.nextInt();
        };
        return isConditionalJump(code) ? Insn.jump(code, k, jt, jf) : Insn.stmt(code, k);
    }

    private static SeccompData data(Random r) {
        return new SeccompData(
                r.nextInt(6), ARCHES[r.nextInt(2)], r.nextLong(), r.longs(6).toArray());
    }
}
