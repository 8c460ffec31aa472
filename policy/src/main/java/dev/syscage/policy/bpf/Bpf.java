package dev.syscage.policy.bpf;

/**
 * The classic BPF opcode fields and the layout of {@code struct seccomp_data}, named as in the
 * kernel's headers. The values a filter returns are in {@link dev.syscage.policy.seccomp.SeccompRet}.
 */
public final class Bpf {
    private Bpf() {}

    // instruction classes
    public static final int BPF_LD = 0x00;
    public static final int BPF_LDX = 0x01;
    public static final int BPF_ST = 0x02;
    public static final int BPF_STX = 0x03;
    public static final int BPF_ALU = 0x04;
    public static final int BPF_JMP = 0x05;
    public static final int BPF_RET = 0x06;
    public static final int BPF_MISC = 0x07;

    // ld/ldx sizes
    public static final int BPF_W = 0x00;
    public static final int BPF_H = 0x08;
    public static final int BPF_B = 0x10;

    // ld/ldx modes
    public static final int BPF_IMM = 0x00;
    public static final int BPF_ABS = 0x20;
    public static final int BPF_IND = 0x40;
    public static final int BPF_MEM = 0x60;
    public static final int BPF_LEN = 0x80;
    public static final int BPF_MSH = 0xa0;

    // alu/jmp operations
    public static final int BPF_ADD = 0x00;
    public static final int BPF_SUB = 0x10;
    public static final int BPF_MUL = 0x20;
    public static final int BPF_DIV = 0x30;
    public static final int BPF_OR = 0x40;
    public static final int BPF_AND = 0x50;
    public static final int BPF_LSH = 0x60;
    public static final int BPF_RSH = 0x70;
    public static final int BPF_NEG = 0x80;
    public static final int BPF_MOD = 0x90;
    public static final int BPF_XOR = 0xa0;

    public static final int BPF_JA = 0x00;
    public static final int BPF_JEQ = 0x10;
    public static final int BPF_JGT = 0x20;
    public static final int BPF_JGE = 0x30;
    public static final int BPF_JSET = 0x40;

    // sources
    public static final int BPF_K = 0x00;
    public static final int BPF_X = 0x08;
    public static final int BPF_A = 0x10;

    // misc
    public static final int BPF_TAX = 0x00;
    public static final int BPF_TXA = 0x80;

    /** Scratch memory words (BPF_MEMWORDS). */
    public static final int BPF_MEMWORDS = 16;
    /** The kernel's limit on a filter's length (BPF_MAXINSNS). */
    public static final int BPF_MAXINSNS = 4096;

    // struct seccomp_data layout
    public static final int SECCOMP_DATA_NR = 0;
    public static final int SECCOMP_DATA_ARCH = 4;
    public static final int SECCOMP_DATA_IP = 8;
    public static final int SECCOMP_DATA_ARGS = 16;
    public static final int SECCOMP_DATA_SIZE = 64;

    /** Offset of the low 32 bits of argument {@code i} (all supported arches are little-endian). */
    public static int argLow(int i) {
        return SECCOMP_DATA_ARGS + 8 * i;
    }

    /** Offset of the high 32 bits of argument {@code i}. */
    public static int argHigh(int i) {
        return SECCOMP_DATA_ARGS + 8 * i + 4;
    }
}
