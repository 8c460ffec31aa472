package dev.syscage.policy.bpf;

import static dev.syscage.policy.bpf.Opcodes.*;

import dev.syscage.policy.model.Action;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a filter on one {@code seccomp_data} the way the kernel does, so tests and
 * {@code syscage check} can ask what a filter decides without installing it. It is the oracle
 * of the compiler tests, and it is called millions of times, so the loop allocates nothing per
 * instruction.
 *
 * <p>Semantics follow the kernel's classic-to-eBPF conversion (net/core/filter.c
 * {@code bpf_convert_filter}): 32-bit unsigned arithmetic and comparisons; a shift by X uses the
 * low 5 bits of X; division or modulo by an X of zero makes the whole filter return 0
 * (SECCOMP_RET_KILL_THREAD); {@code ld #len} gives 64. {@code BPF_MOD} is executed although
 * seccomp does not accept it (see {@link Verifier}). Anything the verifier would refuse and
 * that execution reaches — running off the end, an unknown opcode, a load outside seccomp_data,
 * division by constant zero, reading scratch memory never written — throws
 * {@link BpfRuntimeException} with the pc.
 */
public final class Interpreter {
    private Interpreter() {}

    /**
     * What a run produced: the filter's return value, the number of instructions executed
     * (the final {@code ret} included) and, for {@link #runTraced}, the pcs in execution order.
     */
    public record Result(int ret, int executed, List<Integer> trace) {
        public Result {
            trace = List.copyOf(trace);
        }

        /** The seccomp action the return value means. */
        public Action action() {
            return Action.fromSeccompRet(ret);
        }
    }

    /** Runs {@code p} on {@code d}; the result carries no trace. */
    public static Result run(Program p, SeccompData d) {
        long r = execute(p, d, null);
        return new Result((int) r, (int) (r >>> 32), List.of());
    }

    /** The filter's return value alone, for hot loops that need nothing else. */
    public static int eval(Program p, SeccompData d) {
        return (int) execute(p, d, null);
    }

    /** Runs {@code p} on {@code d} and records every pc executed. */
    public static Result runTraced(Program p, SeccompData d) {
        int[] pcs = new int[p.length()];
        long r = execute(p, d, pcs);
        int executed = (int) (r >>> 32);
        List<Integer> trace = new ArrayList<>(executed);
        for (int i = 0; i < executed; i++) {
            trace.add(pcs[i]);
        }
        return new Result((int) r, executed, trace);
    }

    /**
     * The machine. Returns {@code executed << 32 | ret} so that no result object is needed here.
     * Jumps only go forward, so at most {@code length} instructions run and {@code trace} (when
     * not null) has room for all of them.
     */
    private static long execute(Program p, SeccompData d, int[] trace) {
        List<Insn> insns = p.insns();
        int n = insns.size();
        int a = 0;
        int x = 0;
        int[] mem = null;
        int written = 0;
        int pc = 0;
        int executed = 0;
        while (true) {
            if (pc >= n) {
                throw new BpfRuntimeException(
                        pc - 1, "execution runs off the end of the program" + " (length " + n + ") without a ret");
            }
            Insn in = insns.get(pc);
            if (trace != null) {
                trace[executed] = pc;
            }
            executed++;
            int k = in.k();
            int next = pc + 1;
            switch (in.code()) {
                case LD_W_ABS -> a = load(d, k, pc);
                case LD_W_LEN -> a = Bpf.SECCOMP_DATA_SIZE;
                case LDX_W_LEN -> x = Bpf.SECCOMP_DATA_SIZE;
                case LD_IMM -> a = k;
                case LDX_IMM -> x = k;
                case LD_MEM -> a = mem[checkRead(written, k, pc)];
                case LDX_MEM -> x = mem[checkRead(written, k, pc)];
                case ST, STX -> {
                    if (mem == null) {
                        mem = new int[Bpf.BPF_MEMWORDS];
                    }
                    mem[checkIndex(k, pc)] = in.code() == ST ? a : x;
                    written |= 1 << k;
                }
                case ADD_K -> a += k;
                case ADD_X -> a += x;
                case SUB_K -> a -= k;
                case SUB_X -> a -= x;
                case MUL_K -> a *= k;
                case MUL_X -> a *= x;
                case DIV_K -> a = Integer.divideUnsigned(a, checkDivisor(k, pc));
                case MOD_K -> a = Integer.remainderUnsigned(a, checkDivisor(k, pc));
                case DIV_X, MOD_X -> {
                    if (x == 0) {
                        return (long) executed << 32;
                    }
                    a = in.code() == DIV_X ? Integer.divideUnsigned(a, x) : Integer.remainderUnsigned(a, x);
                }
                case AND_K -> a &= k;
                case AND_X -> a &= x;
                case OR_K -> a |= k;
                case OR_X -> a |= x;
                case XOR_K -> a ^= k;
                case XOR_X -> a ^= x;
                case LSH_K -> a <<= checkShift(k, pc);
                case LSH_X -> a <<= x; // Java uses the low 5 bits of x, as the kernel does
                case RSH_K -> a >>>= checkShift(k, pc);
                case RSH_X -> a >>>= x;
                case NEG -> a = -a;
                case TAX -> x = a;
                case TXA -> a = x;
                case JA -> next = target(pc, Integer.toUnsignedLong(k), n);
                case JEQ_K -> next = target(pc, a == k ? in.jt() : in.jf(), n);
                case JEQ_X -> next = target(pc, a == x ? in.jt() : in.jf(), n);
                case JGT_K -> next = target(pc, Integer.compareUnsigned(a, k) > 0 ? in.jt() : in.jf(), n);
                case JGT_X -> next = target(pc, Integer.compareUnsigned(a, x) > 0 ? in.jt() : in.jf(), n);
                case JGE_K -> next = target(pc, Integer.compareUnsigned(a, k) >= 0 ? in.jt() : in.jf(), n);
                case JGE_X -> next = target(pc, Integer.compareUnsigned(a, x) >= 0 ? in.jt() : in.jf(), n);
                case JSET_K -> next = target(pc, (a & k) != 0 ? in.jt() : in.jf(), n);
                case JSET_X -> next = target(pc, (a & x) != 0 ? in.jt() : in.jf(), n);
                case RET_K -> {
                    return (long) executed << 32 | Integer.toUnsignedLong(k);
                }
                case RET_A -> {
                    return (long) executed << 32 | Integer.toUnsignedLong(a);
                }
                default ->
                    throw new BpfRuntimeException(
                            pc,
                            "opcode 0x"
                                    + Integer.toHexString(in.code()) + " (" + Opcodes.name(in.code())
                                    + ") cannot run in a seccomp filter");
            }
            pc = next;
        }
    }

    private static int load(SeccompData d, int offset, int pc) {
        if (Integer.compareUnsigned(offset, Bpf.SECCOMP_DATA_SIZE) >= 0 || (offset & 3) != 0) {
            throw new BpfRuntimeException(
                    pc,
                    "load of offset " + Integer.toUnsignedString(offset)
                            + " is not an aligned word of struct seccomp_data");
        }
        return d.word(offset);
    }

    private static int target(int pc, long offset, int n) {
        long t = pc + 1 + offset;
        if (t >= n) {
            throw new BpfRuntimeException(pc, "jump target " + t + " is past the end (length " + n + ")");
        }
        return (int) t;
    }

    private static int checkIndex(int k, int pc) {
        if (Integer.compareUnsigned(k, Bpf.BPF_MEMWORDS) >= 0) {
            throw new BpfRuntimeException(
                    pc, "scratch memory index " + Integer.toUnsignedString(k) + " is out of range (M[0]..M[15])");
        }
        return k;
    }

    private static int checkRead(int written, int k, int pc) {
        checkIndex(k, pc);
        if ((written & (1 << k)) == 0) {
            throw new BpfRuntimeException(pc, "M[" + k + "] is read before it is written");
        }
        return k;
    }

    private static int checkDivisor(int k, int pc) {
        if (k == 0) {
            throw new BpfRuntimeException(pc, "division by constant zero");
        }
        return k;
    }

    private static int checkShift(int k, int pc) {
        if (Integer.compareUnsigned(k, 32) >= 0) {
            throw new BpfRuntimeException(pc, "shift by " + Integer.toUnsignedString(k) + " is out of range (0..31)");
        }
        return k;
    }
}
