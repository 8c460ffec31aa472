package dev.syscage.policy.bpf;

import static dev.syscage.policy.bpf.InterpreterTest.j;
import static dev.syscage.policy.bpf.InterpreterTest.prog;
import static dev.syscage.policy.bpf.InterpreterTest.s;
import static dev.syscage.policy.bpf.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.seccomp.SeccompRet;
import java.util.BitSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class KernelCacheTest {

    private static final int X86_64 = 0xC000003E;
    private static final int I386 = 0x40000003;
    private static final int ALLOW = SeccompRet.SECCOMP_RET_ALLOW;

    /** read and exit allowed outright, write only when arg0 is 1, the rest EPERM. */
    private static final Program ALLOWLIST = prog(
            s(LD_W_ABS, 4),
            j(JEQ_K, X86_64, 0, 8),
            s(LD_W_ABS, 0),
            j(JEQ_K, 0, 5, 0),
            j(JEQ_K, 60, 4, 0),
            j(JEQ_K, 1, 0, 2),
            s(LD_W_ABS, 16),
            j(JEQ_K, 1, 1, 0),
            s(RET_K, SeccompRet.SECCOMP_RET_ERRNO | 1),
            s(RET_K, ALLOW),
            s(RET_K, SeccompRet.SECCOMP_RET_KILL_PROCESS));

    @Test
    void syscallsAllowedWithoutLookingAtArgumentsAreCached() {
        assertTrue(KernelCache.isConstantAllow(ALLOWLIST, X86_64, 0));
        assertTrue(KernelCache.isConstantAllow(ALLOWLIST, X86_64, 60));
    }

    @Test
    void aSyscallWhoseDecisionLoadsAnArgumentIsNotCached() {
        assertFalse(KernelCache.isConstantAllow(ALLOWLIST, X86_64, 1));
        // the interpreter confirms write can be allowed — just not for every argument
        assertEquals(ALLOW, Interpreter.eval(ALLOWLIST, SeccompData.of(1, X86_64, 1)));
    }

    @Test
    void deniedSyscallsAndOtherArchesAreNotCached() {
        assertFalse(KernelCache.isConstantAllow(ALLOWLIST, X86_64, 2));
        assertFalse(KernelCache.isConstantAllow(ALLOWLIST, I386, 0));
    }

    @Test
    void loadingAnArgumentFirstDefeatsTheCacheEvenIfEveryPathAllows() {
        Program p = prog(s(LD_W_ABS, 16), j(JEQ_K, 0, 0, 0), s(RET_K, ALLOW));
        assertFalse(KernelCache.isConstantAllow(p, X86_64, 0));
        Program ip = prog(s(LD_W_ABS, 8), s(RET_K, ALLOW));
        assertFalse(KernelCache.isConstantAllow(ip, X86_64, 0));
    }

    @Test
    void onlyTheExactAllowValueIsCached() {
        assertTrue(KernelCache.isConstantAllow(prog(s(RET_K, ALLOW)), X86_64, 0));
        assertFalse(KernelCache.isConstantAllow(prog(s(RET_K, ALLOW | 1)), X86_64, 0));
        assertFalse(KernelCache.isConstantAllow(prog(s(RET_K, SeccompRet.SECCOMP_RET_LOG)), X86_64, 0));
    }

    @Test
    void instructionsTheKernelDoesNotEmulateMakeItGiveUp() {
        Insn[][] prefixes = {
            {s(LD_IMM, 0)},
            {s(LD_W_LEN, 0)},
            {s(LDX_IMM, 0)},
            {s(TAX, 0)},
            {s(ADD_K, 0)},
            {s(OR_K, 0)},
            {s(ST, 0)},
            {j(JEQ_X, 0, 0, 0)}
        };
        for (Insn[] prefix : prefixes) {
            Insn[] all = {prefix[0], s(RET_K, ALLOW)};
            assertFalse(KernelCache.isConstantAllow(prog(all), X86_64, 0), Disassembler.disassemble(prog(all)));
        }
        assertFalse(KernelCache.isConstantAllow(prog(s(LD_IMM, ALLOW), s(RET_A, 0)), X86_64, 0));
    }

    @Test
    void theAccumulatorStartsAtZero() {
        Program p = prog(j(JEQ_K, 0, 0, 1), s(RET_K, ALLOW), s(RET_K, 0));
        assertTrue(KernelCache.isConstantAllow(p, X86_64, 123));
    }

    /** nr ≥ 400: kill; odd nr: allow; (nr &amp; 0xf0) &gt; 0x10: allow; else errno. */
    private static final Program ARITHMETIC = prog(
            s(LD_W_ABS, 0),
            j(JGE_K, 400, 7, 0),
            j(JSET_K, 1, 5, 0),
            s(AND_K, 0xF0),
            j(JGT_K, 0x10, 3, 0),
            s(JA, 1),
            s(RET_K, ALLOW),
            s(RET_K, SeccompRet.SECCOMP_RET_ERRNO | 1),
            s(RET_K, ALLOW),
            s(RET_K, SeccompRet.SECCOMP_RET_KILL_PROCESS));

    @Test
    void followsJgeJsetAndJgtAndJa() {
        assertTrue(KernelCache.isConstantAllow(ARITHMETIC, X86_64, 3));
        assertTrue(KernelCache.isConstantAllow(ARITHMETIC, X86_64, 0x20));
        assertFalse(KernelCache.isConstantAllow(ARITHMETIC, X86_64, 0x10));
        assertFalse(KernelCache.isConstantAllow(ARITHMETIC, X86_64, 2));
        assertFalse(KernelCache.isConstantAllow(ARITHMETIC, X86_64, 401));
    }

    @Test
    void bitmapCoversZeroToMaxNrInclusive() {
        BitSet expected = new BitSet();
        IntStream.rangeClosed(0, 33).filter(nr -> nr % 2 == 1).forEach(expected::set);
        expected.set(32);
        assertEquals(expected, KernelCache.constantAllow(ARITHMETIC, X86_64, 33));
    }

    @Test
    void cachedSyscallsAreAllowedByTheInterpreterWhateverTheArguments() {
        BitSet cached = KernelCache.constantAllow(ARITHMETIC, X86_64, 64);
        java.util.Random random = new java.util.Random(7);
        cached.stream().forEach(nr -> {
            SeccompData d = new SeccompData(
                    nr, X86_64, random.nextLong(), random.longs(6).toArray());
            assertEquals(ALLOW, Interpreter.eval(ARITHMETIC, d), "nr " + nr);
        });
    }
}
