package dev.syscage.policy.bpf;

import static dev.syscage.policy.bpf.Opcodes.*;

import dev.syscage.policy.arch.Constants;
import dev.syscage.policy.model.Action;
import java.util.function.Function;

/**
 * Turns a program into text for golden files and for people: one line an instruction, in the
 * spirit of libseccomp's {@code scmp_bpf_disasm}, with absolute jump targets and comments that
 * name seccomp_data fields, AUDIT_ARCH values, syscalls and return actions:
 * <pre>
 * 0000: ld  [4]                      ; arch
 * 0001: jeq #0xc000003e, 0002, 0011  ; AUDIT_ARCH_X86_64
 * 0004: ret #0x00050001              ; errno 1 (EPERM)
 * </pre>
 * The text depends only on the program (and the names given), so it is stable across runs:
 * pcs are four decimal digits, constants eight hex digits, comments start in column 36.
 */
public final class Disassembler {
    private Disassembler() {}

    /** Width of the instruction text before a comment. */
    private static final int TEXT_WIDTH = 29;

    /** Disassembles without syscall names. */
    public static String disassemble(Program p) {
        return disassemble(p, nr -> null);
    }

    /**
     * Disassembles, naming the syscall compared in {@code jeq/jgt/jge #k} when the accumulator
     * holds {@code nr} — judged simply: the last instruction before the jump, in program order,
     * that set A was {@code ld [0]}. {@code nrNames} returns {@code null} for numbers it does not
     * know.
     */
    public static String disassemble(Program p, Function<Integer, String> nrNames) {
        StringBuilder sb = new StringBuilder();
        int lastLoad = -1; // offset of the ld [k] that A holds, or -1 when A holds something else
        for (int pc = 0; pc < p.length(); pc++) {
            Insn in = p.get(pc);
            String text = instruction(in, pc);
            String comment = comment(in, lastLoad, nrNames);
            sb.append(String.format("%04d: ", pc));
            if (comment == null) {
                sb.append(text);
            } else {
                sb.append(text)
                        .append(" ".repeat(Math.max(1, TEXT_WIDTH - text.length())))
                        .append("; ")
                        .append(comment);
            }
            sb.append('\n');
            lastLoad = accumulatorAfter(in, lastLoad);
        }
        return sb.toString();
    }

    /** The instruction alone, e.g. {@code jeq #0x0000003b, 0004, 0005}. */
    static String instruction(Insn in, int pc) {
        int k = in.k();
        int code = in.code();
        return switch (code) {
            case LD_W_ABS -> op("ld", "[" + Integer.toUnsignedString(k) + "]");
            case LD_H_ABS -> op("ldh", "[" + Integer.toUnsignedString(k) + "]");
            case LD_B_ABS -> op("ldb", "[" + Integer.toUnsignedString(k) + "]");
            case LD_W_IND -> op("ld", "[x+" + Integer.toUnsignedString(k) + "]");
            case LD_H_IND -> op("ldh", "[x+" + Integer.toUnsignedString(k) + "]");
            case LD_B_IND -> op("ldb", "[x+" + Integer.toUnsignedString(k) + "]");
            case LDX_B_MSH -> op("ldx", "4*([" + Integer.toUnsignedString(k) + "]&0xf)");
            case LD_W_LEN -> op("ld", "#len");
            case LDX_W_LEN -> op("ldx", "#len");
            case LD_IMM -> op("ld", hex(k));
            case LDX_IMM -> op("ldx", hex(k));
            case LD_MEM -> op("ld", mem(k));
            case LDX_MEM -> op("ldx", mem(k));
            case ST -> op("st", mem(k));
            case STX -> op("stx", mem(k));
            case NEG -> "neg";
            case TAX -> "tax";
            case TXA -> "txa";
            case RET_K -> op("ret", hex(k));
            case RET_A -> op("ret", "a");
            case RET_X -> op("ret", "x");
            case JA -> op("ja", target(pc + 1 + Integer.toUnsignedLong(k)));
            default -> aluOrJump(in, pc);
        };
    }

    private static String aluOrJump(Insn in, int pc) {
        int code = in.code();
        String operand = (code & Bpf.BPF_X) != 0 ? "x" : hex(in.k());
        if ((code & 0x07) == Bpf.BPF_ALU && (code & ~0xf8) == Bpf.BPF_ALU) {
            String name = aluName(code & 0xf0);
            if (name != null) {
                return op(name, operand);
            }
        }
        if (isConditionalJump(code)) {
            return op(
                    jumpName(code & 0xf0), operand + ", " + target(pc + 1 + in.jt()) + ", " + target(pc + 1 + in.jf()));
        }
        return String.format("??? code=0x%04x jt=%d jf=%d k=0x%08x", code, in.jt(), in.jf(), in.k());
    }

    private static String aluName(int op) {
        return switch (op) {
            case Bpf.BPF_ADD -> "add";
            case Bpf.BPF_SUB -> "sub";
            case Bpf.BPF_MUL -> "mul";
            case Bpf.BPF_DIV -> "div";
            case Bpf.BPF_MOD -> "mod";
            case Bpf.BPF_AND -> "and";
            case Bpf.BPF_OR -> "or";
            case Bpf.BPF_XOR -> "xor";
            case Bpf.BPF_LSH -> "lsh";
            case Bpf.BPF_RSH -> "rsh";
            default -> null;
        };
    }

    private static String jumpName(int op) {
        return switch (op) {
            case Bpf.BPF_JEQ -> "jeq";
            case Bpf.BPF_JGT -> "jgt";
            case Bpf.BPF_JGE -> "jge";
            default -> "jset";
        };
    }

    /** What the line is about, or {@code null} for nothing worth saying. */
    private static String comment(Insn in, int lastLoad, Function<Integer, String> nrNames) {
        int k = in.k();
        return switch (in.code()) {
            case LD_W_ABS -> SeccompNames.field(k);
            case LD_W_LEN, LDX_W_LEN -> "sizeof(seccomp_data) = " + Bpf.SECCOMP_DATA_SIZE;
            case RET_K -> action(k);
            case JEQ_K, JGT_K, JGE_K ->
                lastLoad == Bpf.SECCOMP_DATA_NR
                        ? nrNames.apply(k)
                        : lastLoad == Bpf.SECCOMP_DATA_ARCH ? SeccompNames.auditArch(k) : null;
            default -> null;
        };
    }

    /** The action of a return value: {@code allow}, {@code errno 1 (EPERM)}, {@code trap 7}. */
    static String action(int ret) {
        Action a = Action.fromSeccompRet(ret);
        if (a.kind() != Action.Kind.ERRNO) {
            return a.toString();
        }
        String name = errnoName(a.value());
        return name == null ? a.toString() : a + " (" + name + ")";
    }

    /** The errno's name, or {@code null} when it is unknown or the errno table cannot be read. */
    private static String errnoName(int errno) {
        try {
            return Constants.errnoName(errno);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Which seccomp_data word A holds after {@code in}, tracked in program order. */
    private static int accumulatorAfter(Insn in, int lastLoad) {
        int code = in.code();
        if (code == LD_W_ABS) {
            return in.k();
        }
        boolean setsA = switch (code & 0x07) {
            case Bpf.BPF_LD, Bpf.BPF_ALU -> true;
            case Bpf.BPF_MISC -> code == TXA;
            default -> false;
        };
        return setsA ? -1 : lastLoad;
    }

    private static String op(String mnemonic, String operand) {
        return String.format("%-3s %s", mnemonic, operand);
    }

    private static String hex(int k) {
        return String.format("#0x%08x", k);
    }

    private static String mem(int k) {
        return "M[" + Integer.toUnsignedString(k) + "]";
    }

    private static String target(long pc) {
        return String.format("%04d", pc);
    }
}
