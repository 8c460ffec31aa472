package dev.syscage.policy.bpf;

import static dev.syscage.policy.bpf.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.syscage.policy.model.Action;
import dev.syscage.policy.seccomp.SeccompRet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InterpreterTest {

    private static final SeccompData DATA = new SeccompData(59, 0xC000003E, 0x1122334455667788L, new long[] {
        0xAAAAAAAA00000001L, 2, 0xFFFFFFFF80000000L, 4, 5, 0x0000000700000006L
    });

    static Program prog(Insn... insns) {
        return new Program(List.of(insns));
    }

    static Insn s(int code, int k) {
        return Insn.stmt(code, k);
    }

    static Insn j(int code, int k, int jt, int jf) {
        return Insn.jump(code, k, jt, jf);
    }

    private static int retA(Insn... body) {
        Insn[] all = java.util.Arrays.copyOf(body, body.length + 1);
        all[body.length] = s(RET_A, 0);
        return Interpreter.run(prog(all), DATA).ret();
    }

    @ParameterizedTest(name = "ld [{0}] = {1}")
    @CsvSource({
        "0, 0x0000003b", "4, 0xc000003e", "8, 0x55667788", "12, 0x11223344",
        "16, 0x00000001", "20, 0xaaaaaaaa", "24, 0x00000002", "28, 0x00000000",
        "32, 0x80000000", "36, 0xffffffff", "56, 0x00000006", "60, 0x00000007"
    })
    void loadsEveryWordOfSeccompData(int offset, String expected) {
        assertEquals(Integer.parseUnsignedInt(expected.substring(2), 16), retA(s(LD_W_ABS, offset)));
    }

    @Test
    void lenLoadsGiveTheSizeOfSeccompData() {
        assertEquals(64, retA(s(LD_W_LEN, 0)));
        assertEquals(64, retA(s(LDX_W_LEN, 0), s(TXA, 0)));
    }

    @Test
    void immediatesAndRegisterMoves() {
        assertEquals(0xDEADBEEF, retA(s(LD_IMM, 0xDEADBEEF)));
        assertEquals(7, retA(s(LDX_IMM, 7), s(TXA, 0)));
        assertEquals(9, retA(s(LD_IMM, 9), s(TAX, 0), s(LD_IMM, 1), s(TXA, 0)));
    }

    @Test
    void scratchMemoryStoresAndLoads() {
        assertEquals(5, retA(s(LD_IMM, 5), s(ST, 15), s(LD_IMM, 0), s(LD_MEM, 15)));
        assertEquals(6, retA(s(LDX_IMM, 6), s(STX, 0), s(LDX_MEM, 0), s(TXA, 0)));
    }

    @ParameterizedTest(name = "{0} op {2}")
    @CsvSource({
        // a, op, operand, expected (hex, unsigned 32-bit)
        "0xffffffff, ADD, 0x00000002, 0x00000001",
        "0x00000001, SUB, 0x00000002, 0xffffffff",
        "0x80000001, MUL, 0x00000002, 0x00000002",
        "0xffffffff, DIV, 0x00000002, 0x7fffffff",
        "0x80000000, DIV, 0xffffffff, 0x00000000",
        "0xffffffff, MOD, 0x00000010, 0x0000000f",
        "0x80000000, MOD, 0x80000001, 0x80000000",
        "0xf0f0f0f0, AND, 0xff00ff00, 0xf000f000",
        "0xf0f0f0f0, OR, 0x0f000000, 0xfff0f0f0",
        "0xf0f0f0f0, XOR, 0xffffffff, 0x0f0f0f0f",
        "0x00000001, LSH, 0x0000001f, 0x80000000",
        "0x80000000, RSH, 0x0000001f, 0x00000001",
        "0x80000000, RSH, 0x00000000, 0x80000000"
    })
    void aluWithConstantAndWithX(String a, String op, String operand, String expected) {
        int av = hex(a);
        int kv = hex(operand);
        int opBits = switch (op) {
            case "ADD" -> Bpf.BPF_ADD;
            case "SUB" -> Bpf.BPF_SUB;
            case "MUL" -> Bpf.BPF_MUL;
            case "DIV" -> Bpf.BPF_DIV;
            case "MOD" -> Bpf.BPF_MOD;
            case "AND" -> Bpf.BPF_AND;
            case "OR" -> Bpf.BPF_OR;
            case "XOR" -> Bpf.BPF_XOR;
            case "LSH" -> Bpf.BPF_LSH;
            default -> Bpf.BPF_RSH;
        };
        int code = Bpf.BPF_ALU | opBits;
        assertEquals(hex(expected), retA(s(LD_IMM, av), s(code | Bpf.BPF_K, kv)), "with K");
        assertEquals(hex(expected), retA(s(LDX_IMM, kv), s(LD_IMM, av), s(code | Bpf.BPF_X, 0)), "with X");
    }

    private static int hex(String s) {
        return Integer.parseUnsignedInt(s.substring(2), 16);
    }

    @Test
    void negIsTwosComplement() {
        assertEquals(0xFFFFFFFF, retA(s(LD_IMM, 1), s(NEG, 0)));
        assertEquals(0, retA(s(LD_IMM, 0), s(NEG, 0)));
        assertEquals(0x80000000, retA(s(LD_IMM, 0x80000000), s(NEG, 0)));
    }

    @Test
    void shiftByXUsesOnlyItsLowFiveBits() {
        assertEquals(2, retA(s(LDX_IMM, 33), s(LD_IMM, 1), s(LSH_X, 0)));
        assertEquals(0x40000000, retA(s(LDX_IMM, 33), s(LD_IMM, 0x80000000), s(RSH_X, 0)));
    }

    @Test
    void divisionOrModuloByXZeroMakesTheFilterReturnZero() {
        for (int code : new int[] {DIV_X, MOD_X}) {
            Program p = prog(s(LD_IMM, 10), s(LDX_IMM, 0), s(code, 0), s(RET_K, SeccompRet.SECCOMP_RET_ALLOW));
            Interpreter.Result r = Interpreter.run(p, DATA);
            assertEquals(0, r.ret());
            assertEquals(3, r.executed(), "stops at the division");
            assertEquals(Action.KILL_THREAD, r.action());
        }
    }

    @ParameterizedTest(name = "{0} a={1} operand={2}")
    @CsvSource({
        // jump, a, operand, taken?
        "JEQ, 0x80000000, 0x80000000, true",
        "JEQ, 0x80000000, 0x00000000, false",
        "JGT, 0x80000000, 0x00000001, true",
        "JGT, 0x00000001, 0x80000000, false",
        "JGT, 0x00000005, 0x00000005, false",
        "JGE, 0xffffffff, 0xfffffffe, true",
        "JGE, 0x00000005, 0x00000005, true",
        "JGE, 0x7fffffff, 0x80000000, false",
        "JSET, 0x80000001, 0x80000000, true",
        "JSET, 0x80000001, 0x7ffffffe, false"
    })
    void conditionalJumpsCompareUnsigned(String jump, String a, String operand, boolean taken) {
        int op = switch (jump) {
            case "JEQ" -> Bpf.BPF_JEQ;
            case "JGT" -> Bpf.BPF_JGT;
            case "JGE" -> Bpf.BPF_JGE;
            default -> Bpf.BPF_JSET;
        };
        int expected = taken ? 1 : 2;
        Program withK =
                prog(s(LD_IMM, hex(a)), j(Bpf.BPF_JMP | op | Bpf.BPF_K, hex(operand), 0, 1), s(RET_K, 1), s(RET_K, 2));
        Program withX = prog(
                s(LDX_IMM, hex(operand)),
                s(LD_IMM, hex(a)),
                j(Bpf.BPF_JMP | op | Bpf.BPF_X, 0, 0, 1),
                s(RET_K, 1),
                s(RET_K, 2));
        assertEquals(expected, Interpreter.run(withK, DATA).ret(), "with K");
        assertEquals(expected, Interpreter.run(withX, DATA).ret(), "with X");
    }

    @Test
    void jaJumpsOverInstructions() {
        Program p = prog(s(JA, 2), s(RET_K, 1), s(RET_K, 2), s(RET_K, 3));
        assertEquals(3, Interpreter.run(p, DATA).ret());
    }

    @Test
    void traceAndCountIncludeTheFinalRet() {
        Program p = prog(
                s(LD_W_ABS, 4),
                j(JEQ_K, 0xC000003E, 1, 0),
                s(RET_K, SeccompRet.SECCOMP_RET_KILL_PROCESS),
                s(LD_W_ABS, 0),
                j(JEQ_K, 59, 0, 1),
                s(RET_K, SeccompRet.SECCOMP_RET_ERRNO | 1),
                s(RET_K, SeccompRet.SECCOMP_RET_ALLOW));
        Interpreter.Result r = Interpreter.runTraced(p, DATA);
        assertEquals(List.of(0, 1, 3, 4, 5), r.trace());
        assertEquals(5, r.executed());
        assertEquals(Action.errno(1), r.action());
        Interpreter.Result plain = Interpreter.run(p, SeccompData.of(0, 0xC000003E));
        assertEquals(5, plain.executed(), "0, 1, 3, 4, 6");
        assertEquals(List.of(), plain.trace());
        assertEquals(Action.ALLOW, plain.action());
        assertEquals(SeccompRet.SECCOMP_RET_KILL_PROCESS, Interpreter.eval(p, SeccompData.of(0, 0x40000003)));
    }

    @Test
    void retAReturnsTheAccumulatorWithItsHighBit() {
        assertEquals(0x80000000, retA(s(LD_IMM, 0x80000000)));
    }

    @Test
    void runningOffTheEndIsAnError() {
        BpfRuntimeException e =
                assertThrows(BpfRuntimeException.class, () -> Interpreter.run(prog(s(LD_IMM, 1), s(TAX, 0)), DATA));
        assertEquals("pc 1: execution runs off the end of the program (length 2) without a ret", e.getMessage());
        assertEquals(1, e.pc());
    }

    @Test
    void faultsTheVerifierWouldCatchAreRuntimeErrorsWithThePc() {
        assertError(
                "pc 0: opcode 0x28 (BPF_LD|BPF_H|BPF_ABS) cannot run in a seccomp filter", s(LD_H_ABS, 0), s(RET_A, 0));
        assertError(
                "pc 0: load of offset 6 is not an aligned word of struct seccomp_data", s(LD_W_ABS, 6), s(RET_A, 0));
        assertError(
                "pc 0: load of offset 64 is not an aligned word of struct seccomp_data", s(LD_W_ABS, 64), s(RET_A, 0));
        assertError("pc 1: M[3] is read before it is written", s(ST, 2), s(LD_MEM, 3), s(RET_A, 0));
        assertError("pc 0: scratch memory index 16 is out of range (M[0]..M[15])", s(ST, 16), s(RET_A, 0));
        assertError("pc 0: division by constant zero", s(DIV_K, 0), s(RET_A, 0));
        assertError("pc 0: shift by 32 is out of range (0..31)", s(LSH_K, 32), s(RET_A, 0));
        assertError("pc 0: jump target 4294967296 is past the end (length 2)", s(JA, -1), s(RET_A, 0));
        assertError("pc 0: jump target 6 is past the end (length 2)", j(JEQ_K, 0, 5, 0), s(RET_A, 0));
    }

    private static void assertError(String message, Insn... insns) {
        BpfRuntimeException e = assertThrows(BpfRuntimeException.class, () -> Interpreter.run(prog(insns), DATA));
        assertEquals(message, e.getMessage());
    }
}
