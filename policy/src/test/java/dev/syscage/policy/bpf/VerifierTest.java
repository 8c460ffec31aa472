package dev.syscage.policy.bpf;

import static dev.syscage.policy.bpf.InterpreterTest.j;
import static dev.syscage.policy.bpf.InterpreterTest.prog;
import static dev.syscage.policy.bpf.InterpreterTest.s;
import static dev.syscage.policy.bpf.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.syscage.policy.seccomp.SeccompRet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerifierTest {

    private static List<String> errors(Program p) {
        return Verifier.verify(p).stream().map(VerifierError::render).toList();
    }

    private static List<String> errors(Insn... insns) {
        return errors(prog(insns));
    }

    @Test
    void acceptsEveryOpcodeSeccompAllows() {
        Program p = prog(
                s(LD_W_ABS, 0),
                s(LD_W_ABS, 60),
                s(LD_W_LEN, 0),
                s(LDX_W_LEN, 0),
                s(LD_IMM, 1),
                s(LDX_IMM, 2),
                s(ST, 0),
                s(STX, 15),
                s(LD_MEM, 0),
                s(LDX_MEM, 15),
                s(ADD_K, 1),
                s(ADD_X, 0),
                s(SUB_K, 1),
                s(SUB_X, 0),
                s(MUL_K, 3),
                s(MUL_X, 0),
                s(DIV_K, 3),
                s(DIV_X, 0),
                s(AND_K, 7),
                s(AND_X, 0),
                s(OR_K, 1),
                s(OR_X, 0),
                s(XOR_K, 1),
                s(XOR_X, 0),
                s(LSH_K, 31),
                s(LSH_X, 0),
                s(RSH_K, 0),
                s(RSH_X, 0),
                s(NEG, 0),
                s(TAX, 0),
                s(TXA, 0),
                s(JA, 0),
                j(JEQ_K, 1, 0, 0),
                j(JEQ_X, 0, 0, 0),
                j(JGT_K, 1, 0, 0),
                j(JGT_X, 0, 0, 0),
                j(JGE_K, 1, 0, 0),
                j(JGE_X, 0, 0, 0),
                j(JSET_K, 1, 0, 0),
                j(JSET_X, 0, 0, 1),
                s(RET_A, 0),
                s(RET_K, SeccompRet.SECCOMP_RET_ALLOW));
        assertEquals(List.of(), errors(p));
        Verifier.check(p); // does not throw
    }

    @Test
    void emptyFilter() {
        assertEquals(List.of("filter is empty; the kernel needs at least 1 instruction"), errors());
    }

    @Test
    void lengthLimitNamesTheLimit() {
        assertEquals(List.of(), errors(rets(4096)));
        assertEquals(List.of("filter has 4200 instructions; the kernel accepts 4096"), errors(rets(4200)));
    }

    private static Program rets(int n) {
        return new Program(Collections.nCopies(n, s(RET_K, SeccompRet.SECCOMP_RET_ALLOW)));
    }

    @Test
    void opcodesOutsideTheSeccompListAreNamed() {
        assertEquals(
                List.of(
                        "pc 0: opcode 0x28 (BPF_LD|BPF_H|BPF_ABS) is not allowed in a seccomp filter",
                        "pc 1: opcode 0x40 (BPF_LD|BPF_W|BPF_IND) is not allowed in a seccomp filter",
                        "pc 2: opcode 0xb1 (BPF_LDX|BPF_B|BPF_MSH) is not allowed in a seccomp filter",
                        "pc 3: opcode 0x94 (BPF_ALU|BPF_MOD|BPF_K) is not allowed in a seccomp filter",
                        "pc 4: opcode 0x9c (BPF_ALU|BPF_MOD|BPF_X) is not allowed in a seccomp filter",
                        "pc 5: opcode 0x1234 (BPF_ALU|BPF_DIV|BPF_K|0x1200) is not allowed in a seccomp filter",
                        "pc 6: opcode 0x0e (BPF_RET|BPF_X) is not allowed in a seccomp filter"),
                errors(
                        s(LD_H_ABS, 0),
                        s(LD_W_IND, 0),
                        s(LDX_B_MSH, 0),
                        s(MOD_K, 0),
                        s(MOD_X, 0),
                        s(0x1234, 1),
                        s(RET_X, 0),
                        s(RET_K, 0)));
    }

    @Test
    void loadsMustBeAlignedWordsInsideSeccompData() {
        assertEquals(
                List.of(
                        "pc 0: load of offset 64 is outside struct seccomp_data (64 bytes)",
                        "pc 1: load of offset 6 is not 4-byte aligned",
                        "pc 2: load of offset 4294967292 is outside struct seccomp_data (64 bytes)"),
                errors(s(LD_W_ABS, 64), s(LD_W_ABS, 6), s(LD_W_ABS, -4), s(RET_A, 0)));
    }

    @Test
    void divisionByConstantZero() {
        assertEquals(List.of("pc 1: division by constant zero"), errors(s(LD_IMM, 1), s(DIV_K, 0), s(RET_A, 0)));
    }

    @Test
    void constantShiftsOf32OrMore() {
        assertEquals(
                List.of(
                        "pc 0: shift by 32 is out of range (0..31)",
                        "pc 1: shift by 4294967295 is out of range (0..31)"),
                errors(s(LSH_K, 32), s(RSH_K, -1), s(RET_A, 0)));
    }

    @Test
    void scratchIndexBelow16() {
        assertEquals(
                List.of(
                        "pc 0: scratch memory index 16 is out of range (M[0]..M[15])",
                        "pc 1: scratch memory index 16 is out of range (M[0]..M[15])"),
                errors(s(ST, 16), s(LDX_MEM, 16), s(RET_A, 0)));
    }

    @Test
    void unconditionalJumpPastTheEnd() {
        List<Insn> insns = new ArrayList<>(Collections.nCopies(40, s(RET_K, 0)));
        insns.set(12, s(JA, 287));
        assertEquals(List.of("pc 12: jump target 300 is past the end (length 40)"), errors(new Program(insns)));
        assertEquals(
                List.of("pc 0: jump target 4294967296 is past the end (length 2)"), errors(s(JA, -1), s(RET_K, 0)));
        assertEquals(List.of(), errors(s(JA, 1), s(RET_K, 0), s(RET_K, 1)));
    }

    @Test
    void conditionalJumpReportsEachBadTarget() {
        assertEquals(
                List.of(
                        "pc 0: jump target 6 is past the end (length 3)",
                        "pc 0: jump target 7 is past the end (length 3)",
                        "pc 1: jump target 3 is past the end (length 3)"),
                errors(j(JEQ_K, 0, 5, 6), j(JSET_X, 0, 1, 1), s(RET_K, 0)));
    }

    @Test
    void lastInstructionMustBeARet() {
        assertEquals(
                List.of("pc 1: the last instruction must be a ret, found BPF_LD|BPF_W|BPF_ABS"),
                errors(s(RET_K, 0), s(LD_W_ABS, 0)));
    }

    @Test
    void scratchReadWithoutAnyWrite() {
        assertEquals(
                List.of("pc 0: M[0] is read before it is written on every path to here"),
                errors(s(LD_MEM, 0), s(RET_A, 0)));
    }

    @Test
    void scratchWrittenOnOnlyOneBranch() {
        assertEquals(
                List.of("pc 3: M[0] is read before it is written on every path to here"),
                errors(s(LD_W_ABS, 0), j(JEQ_K, 1, 0, 1), s(ST, 0), s(LD_MEM, 0), s(RET_A, 0)));
    }

    @Test
    void scratchWrittenOnBothBranches() {
        assertEquals(
                List.of(),
                errors(s(LD_W_ABS, 0), j(JEQ_K, 1, 0, 2), s(ST, 0), s(JA, 1), s(STX, 0), s(LDX_MEM, 0), s(RET_A, 0)));
    }

    /**
     * The kernel does not forget what was valid before a ret: pc 5 is reached only from pc 3,
     * after M[0] was written, yet the kernel refuses the read because pc 4 (a ret reached with
     * M[0] unwritten) precedes it. We predict the refusal.
     */
    @Test
    void scratchCheckKeepsTheKernelsViewAcrossARet() {
        assertEquals(
                List.of("pc 5: M[0] is read before it is written on every path to here"),
                errors(s(LD_W_ABS, 0), j(JEQ_K, 1, 0, 2), s(ST, 0), s(JA, 1), s(RET_K, 0), s(LD_MEM, 0), s(RET_A, 0)));
    }

    @Test
    void everyErrorIsReportedInPcOrderAfterTheLengthError() {
        List<Insn> insns = new ArrayList<>(Collections.nCopies(4200, s(RET_K, 0)));
        insns.set(7, s(LD_W_ABS, 2));
        insns.set(3, s(DIV_K, 0));
        assertEquals(
                List.of(
                        "filter has 4200 instructions; the kernel accepts 4096",
                        "pc 3: division by constant zero",
                        "pc 7: load of offset 2 is not 4-byte aligned"),
                errors(new Program(insns)));
    }

    @Test
    void checkThrowsWithEveryErrorInTheMessage() {
        ProgramVerificationException e = assertThrows(
                ProgramVerificationException.class, () -> Verifier.check(prog(s(LD_W_ABS, 64), s(DIV_K, 0))));
        assertEquals("""
                the kernel would reject this filter (3 errors):
                  pc 0: load of offset 64 is outside struct seccomp_data (64 bytes)
                  pc 1: division by constant zero
                  pc 1: the last instruction must be a ret, found BPF_ALU|BPF_DIV|BPF_K""", e.getMessage());
        assertEquals(3, e.errors().size());
        ProgramVerificationException one =
                assertThrows(ProgramVerificationException.class, () -> Verifier.check(prog()));
        assertEquals("""
                the kernel would reject this filter:
                  filter is empty; the kernel needs at least 1 instruction""", one.getMessage());
    }
}
