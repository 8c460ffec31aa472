package dev.syscage.policy.bpf;

/**
 * One classic BPF instruction, as the kernel's {@code struct sock_filter}: a 16-bit opcode, two
 * 8-bit jump offsets and a 32-bit constant. Offsets are relative to the next instruction.
 */
public record Insn(int code, int jt, int jf, int k) {

    public Insn {
        if (code < 0 || code > 0xFFFF) {
            throw new IllegalArgumentException("opcode out of range: " + code);
        }
        if (jt < 0 || jt > 255 || jf < 0 || jf > 255) {
            throw new IllegalArgumentException("jump offset out of range: jt=" + jt + " jf=" + jf);
        }
    }

    public static Insn stmt(int code, int k) {
        return new Insn(code, 0, 0, k);
    }

    public static Insn jump(int code, int k, int jt, int jf) {
        return new Insn(code, jt, jf, k);
    }

    public int bpfClass() {
        return code & 0x07;
    }
}
