package dev.syscage.policy.bpf;

import static dev.syscage.policy.bpf.InterpreterTest.j;
import static dev.syscage.policy.bpf.InterpreterTest.prog;
import static dev.syscage.policy.bpf.InterpreterTest.s;
import static dev.syscage.policy.bpf.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.policy.seccomp.SeccompRet;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DisassemblerTest {

    private static final Map<Integer, String> NAMES = Map.of(59, "execve", 1, "write");

    private static final Program SMALL = prog(
            s(LD_W_ABS, 4),
            j(JEQ_K, 0xC000003E, 0, 9),
            s(LD_W_ABS, 0),
            j(JGE_K, 0x40000000, 6, 0),
            j(JEQ_K, 59, 4, 0),
            j(JEQ_K, 1, 0, 2),
            s(LD_W_ABS, 16),
            j(JGT_K, 2, 2, 0),
            s(RET_K, SeccompRet.SECCOMP_RET_ALLOW),
            s(RET_K, SeccompRet.SECCOMP_RET_ERRNO | 4000),
            s(RET_K, SeccompRet.SECCOMP_RET_TRAP | 7),
            s(RET_K, SeccompRet.SECCOMP_RET_KILL_PROCESS));

    @Test
    void smallFilterWithSyscallNames() {
        assertEquals("""
                0000: ld  [4]                      ; arch
                0001: jeq #0xc000003e, 0002, 0011  ; AUDIT_ARCH_X86_64
                0002: ld  [0]                      ; nr
                0003: jge #0x40000000, 0010, 0004
                0004: jeq #0x0000003b, 0009, 0005  ; execve
                0005: jeq #0x00000001, 0006, 0008  ; write
                0006: ld  [16]                     ; arg0 lo
                0007: jgt #0x00000002, 0010, 0008
                0008: ret #0x7fff0000              ; allow
                0009: ret #0x00050fa0              ; errno 4000
                0010: ret #0x00030007              ; trap 7
                0011: ret #0x80000000              ; kill
                """, Disassembler.disassemble(SMALL, NAMES::get));
    }

    @Test
    void withoutNamesTheSyscallCommentsAreLeftOut() {
        String text = Disassembler.disassemble(SMALL);
        assertEquals(
                "0004: jeq #0x0000003b, 0009, 0005\n",
                text.lines().skip(4).findFirst().get() + "\n");
    }

    @Test
    void nrIsNoLongerNamedOnceTheAccumulatorChanges() {
        assertEquals(
                """
                0000: ld  [0]                      ; nr
                0001: and #0x000000ff
                0002: jeq #0x0000003b, 0003, 0003
                0003: ret a
                """,
                Disassembler.disassemble(
                        prog(s(LD_W_ABS, 0), s(AND_K, 0xFF), j(JEQ_K, 59, 0, 0), s(RET_A, 0)), NAMES::get));
    }

    @Test
    void everyInstructionForm() {
        Program p = prog(
                s(LD_W_LEN, 0),
                s(LDX_W_LEN, 0),
                s(LD_IMM, 1),
                s(LDX_IMM, -1),
                s(ST, 0),
                s(STX, 15),
                s(LD_MEM, 0),
                s(LDX_MEM, 15),
                s(ADD_K, 1),
                s(SUB_X, 0),
                s(MUL_K, 3),
                s(DIV_X, 0),
                s(AND_K, 0xFF),
                s(OR_X, 0),
                s(XOR_K, 1),
                s(LSH_K, 2),
                s(RSH_X, 0),
                s(MOD_K, 7),
                s(NEG, 0),
                s(TAX, 0),
                s(TXA, 0),
                s(JA, 1),
                s(LD_H_ABS, 2),
                j(JSET_X, 0, 0, 1),
                s(RET_A, 0),
                j(0xff, 3, 1, 2),
                s(RET_K, SeccompRet.SECCOMP_RET_LOG),
                s(LD_W_ABS, 12),
                s(LD_W_ABS, 60),
                s(LD_W_ABS, 6));
        assertEquals("""
                0000: ld  #len                     ; sizeof(seccomp_data) = 64
                0001: ldx #len                     ; sizeof(seccomp_data) = 64
                0002: ld  #0x00000001
                0003: ldx #0xffffffff
                0004: st  M[0]
                0005: stx M[15]
                0006: ld  M[0]
                0007: ldx M[15]
                0008: add #0x00000001
                0009: sub x
                0010: mul #0x00000003
                0011: div x
                0012: and #0x000000ff
                0013: or  x
                0014: xor #0x00000001
                0015: lsh #0x00000002
                0016: rsh x
                0017: mod #0x00000007
                0018: neg
                0019: tax
                0020: txa
                0021: ja  0023
                0022: ldh [2]
                0023: jset x, 0024, 0025
                0024: ret a
                0025: ??? code=0x00ff jt=1 jf=2 k=0x00000003
                0026: ret #0x7ffc0000              ; log
                0027: ld  [12]                     ; ip hi
                0028: ld  [60]                     ; arg5 hi
                0029: ld  [6]
                """, Disassembler.disassemble(p));
    }

    @Test
    void errnoIsNamedFromTheErrnoTable() {
        assertEquals(
                "0000: ret #0x00050001              ; errno 1 (EPERM)\n",
                Disassembler.disassemble(prog(s(RET_K, SeccompRet.SECCOMP_RET_ERRNO | 1))));
    }
}
