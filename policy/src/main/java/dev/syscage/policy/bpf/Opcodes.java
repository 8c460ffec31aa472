package dev.syscage.policy.bpf;

import static dev.syscage.policy.bpf.Bpf.*;

/**
 * The whole 16-bit opcodes of classic BPF, as constants usable in {@code switch}, and their
 * kernel spelling ({@code BPF_LD|BPF_W|BPF_ABS}) for messages. The verifier, interpreter,
 * disassembler and kernel-cache emulator all switch on the same names, so they cannot disagree
 * about what an opcode is.
 */
public final class Opcodes {
    private Opcodes() {}

    public static final int LD_W_ABS = BPF_LD | BPF_W | BPF_ABS;
    public static final int LD_H_ABS = BPF_LD | BPF_H | BPF_ABS;
    public static final int LD_B_ABS = BPF_LD | BPF_B | BPF_ABS;
    public static final int LD_W_IND = BPF_LD | BPF_W | BPF_IND;
    public static final int LD_H_IND = BPF_LD | BPF_H | BPF_IND;
    public static final int LD_B_IND = BPF_LD | BPF_B | BPF_IND;
    public static final int LD_W_LEN = BPF_LD | BPF_W | BPF_LEN;
    public static final int LD_IMM = BPF_LD | BPF_IMM;
    public static final int LD_MEM = BPF_LD | BPF_MEM;
    public static final int LDX_W_LEN = BPF_LDX | BPF_W | BPF_LEN;
    public static final int LDX_IMM = BPF_LDX | BPF_IMM;
    public static final int LDX_MEM = BPF_LDX | BPF_MEM;
    public static final int LDX_B_MSH = BPF_LDX | BPF_B | BPF_MSH;
    public static final int ST = BPF_ST;
    public static final int STX = BPF_STX;

    public static final int ADD_K = BPF_ALU | BPF_ADD | BPF_K;
    public static final int ADD_X = BPF_ALU | BPF_ADD | BPF_X;
    public static final int SUB_K = BPF_ALU | BPF_SUB | BPF_K;
    public static final int SUB_X = BPF_ALU | BPF_SUB | BPF_X;
    public static final int MUL_K = BPF_ALU | BPF_MUL | BPF_K;
    public static final int MUL_X = BPF_ALU | BPF_MUL | BPF_X;
    public static final int DIV_K = BPF_ALU | BPF_DIV | BPF_K;
    public static final int DIV_X = BPF_ALU | BPF_DIV | BPF_X;
    public static final int MOD_K = BPF_ALU | BPF_MOD | BPF_K;
    public static final int MOD_X = BPF_ALU | BPF_MOD | BPF_X;
    public static final int AND_K = BPF_ALU | BPF_AND | BPF_K;
    public static final int AND_X = BPF_ALU | BPF_AND | BPF_X;
    public static final int OR_K = BPF_ALU | BPF_OR | BPF_K;
    public static final int OR_X = BPF_ALU | BPF_OR | BPF_X;
    public static final int XOR_K = BPF_ALU | BPF_XOR | BPF_K;
    public static final int XOR_X = BPF_ALU | BPF_XOR | BPF_X;
    public static final int LSH_K = BPF_ALU | BPF_LSH | BPF_K;
    public static final int LSH_X = BPF_ALU | BPF_LSH | BPF_X;
    public static final int RSH_K = BPF_ALU | BPF_RSH | BPF_K;
    public static final int RSH_X = BPF_ALU | BPF_RSH | BPF_X;
    public static final int NEG = BPF_ALU | BPF_NEG;

    public static final int JA = BPF_JMP | BPF_JA;
    public static final int JEQ_K = BPF_JMP | BPF_JEQ | BPF_K;
    public static final int JEQ_X = BPF_JMP | BPF_JEQ | BPF_X;
    public static final int JGT_K = BPF_JMP | BPF_JGT | BPF_K;
    public static final int JGT_X = BPF_JMP | BPF_JGT | BPF_X;
    public static final int JGE_K = BPF_JMP | BPF_JGE | BPF_K;
    public static final int JGE_X = BPF_JMP | BPF_JGE | BPF_X;
    public static final int JSET_K = BPF_JMP | BPF_JSET | BPF_K;
    public static final int JSET_X = BPF_JMP | BPF_JSET | BPF_X;

    public static final int RET_K = BPF_RET | BPF_K;
    public static final int RET_X = BPF_RET | BPF_X;
    public static final int RET_A = BPF_RET | BPF_A;
    public static final int TAX = BPF_MISC | BPF_TAX;
    public static final int TXA = BPF_MISC | BPF_TXA;

    /** A conditional jump (jt/jf), with K or X operand. */
    public static boolean isConditionalJump(int code) {
        return switch (code) {
            case JEQ_K, JEQ_X, JGT_K, JGT_X, JGE_K, JGE_X, JSET_K, JSET_X -> true;
            default -> false;
        };
    }

    public static boolean isRet(int code) {
        return code == RET_K || code == RET_A;
    }

    private static final String[] CLASSES = {
        "BPF_LD", "BPF_LDX", "BPF_ST", "BPF_STX", "BPF_ALU", "BPF_JMP", "BPF_RET", "BPF_MISC"
    };
    private static final String[] SIZES = {"BPF_W", "BPF_H", "BPF_B", "0x18"};
    private static final String[] MODES = {
        "BPF_IMM", "BPF_ABS", "BPF_IND", "BPF_MEM", "BPF_LEN", "BPF_MSH", "0xc0", "0xe0"
    };
    private static final String[] ALU_OPS = {
        "BPF_ADD", "BPF_SUB", "BPF_MUL", "BPF_DIV", "BPF_OR", "BPF_AND", "BPF_LSH", "BPF_RSH", "BPF_NEG", "BPF_MOD",
        "BPF_XOR"
    };
    private static final String[] JMP_OPS = {"BPF_JA", "BPF_JEQ", "BPF_JGT", "BPF_JGE", "BPF_JSET"};

    /**
     * The opcode in the kernel's spelling, e.g. {@code BPF_ALU|BPF_MOD|BPF_K}; fields that have
     * no name (and bits above the low byte) are shown in hex.
     */
    public static String name(int code) {
        int cls = code & 0x07;
        StringBuilder sb = new StringBuilder(CLASSES[cls]);
        switch (cls) {
            case BPF_LD, BPF_LDX ->
                sb.append('|').append(SIZES[(code >> 3) & 3]).append('|').append(MODES[(code >> 5) & 7]);
            case BPF_ST, BPF_STX -> appendHex(sb, code & 0xf8);
            case BPF_ALU -> {
                appendOp(sb, (code >> 4) & 0xf, ALU_OPS);
                if ((code & 0xf0) != BPF_NEG || (code & BPF_X) != 0) {
                    sb.append((code & BPF_X) != 0 ? "|BPF_X" : "|BPF_K");
                }
            }
            case BPF_JMP -> {
                appendOp(sb, (code >> 4) & 0xf, JMP_OPS);
                if ((code & 0xf0) != BPF_JA || (code & BPF_X) != 0) {
                    sb.append((code & BPF_X) != 0 ? "|BPF_X" : "|BPF_K");
                }
            }
            case BPF_RET -> {
                int rval = code & 0x18;
                sb.append(rval == BPF_K ? "|BPF_K" : rval == BPF_X ? "|BPF_X" : rval == BPF_A ? "|BPF_A" : "|0x18");
                appendHex(sb, code & 0xe0);
            }
            default -> {
                int op = code & 0xf8;
                sb.append(op == BPF_TAX ? "|BPF_TAX" : op == BPF_TXA ? "|BPF_TXA" : "|0x" + Integer.toHexString(op));
            }
        }
        appendHex(sb, code & 0xff00);
        return sb.toString();
    }

    private static void appendOp(StringBuilder sb, int op, String[] names) {
        sb.append('|').append(op < names.length ? names[op] : "0x" + Integer.toHexString(op << 4));
    }

    private static void appendHex(StringBuilder sb, int bits) {
        if (bits != 0) {
            sb.append("|0x").append(Integer.toHexString(bits));
        }
    }
}
