package dev.syscage.policy.oci;

import dev.syscage.policy.bpf.Bpf;
import dev.syscage.policy.bpf.Insn;
import dev.syscage.policy.bpf.Program;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds a defect of libseccomp 2.5's code generator (gen_bpf.c tracks which argument word the
 * accumulator holds, and across a merge of paths it can skip a load): a comparison that can be
 * reached with the accumulator holding different values on different paths, as in
 * <pre>
 * 0006: ld [16]; jgt #40, 0014, 0008      ; arg0
 * 0008: ld [24]; and #1; jeq #0, 0011, 0014 ; arg1
 * 0014: jge #0x7fffffff, ...              ; meant for arg0, holds arg1 &amp; 1 when reached from 0010
 * </pre>
 * Such a filter answers differently from libseccomp's own rule tree (and its PFC export).
 * The differential tests name these programs and leave them out: no rule tree can say what the
 * generated code does there, and runc installs exactly that code.
 */
final class AccumulatorFlow {
    private AccumulatorFlow() {}

    /** The pcs of conditional jumps that can see more than one accumulator value source. */
    static List<Integer> ambiguousJumps(Program p) {
        int n = p.length();
        List<Set<String>> in = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            in.add(new HashSet<>());
        }
        in.get(0).add("none");
        List<Integer> out = new ArrayList<>();
        for (int pc = 0; pc < n; pc++) {
            Set<String> a = in.get(pc);
            if (a.isEmpty()) {
                continue; // unreachable
            }
            Insn i = p.get(pc);
            int cls = i.code() & 0x07;
            if (cls == Bpf.BPF_LD) {
                flow(in, pc + 1, Set.of("ld " + i.k()));
            } else if (cls == Bpf.BPF_ALU) {
                Set<String> next = new HashSet<>();
                a.forEach(s -> next.add(s + " op" + i.code() + " " + i.k()));
                flow(in, pc + 1, next);
            } else if (cls == Bpf.BPF_JMP) {
                if ((i.code() & 0xf0) == Bpf.BPF_JA) {
                    flow(in, pc + 1 + i.k(), a);
                } else {
                    if (a.size() > 1) {
                        out.add(pc);
                    }
                    flow(in, pc + 1 + i.jt(), a);
                    flow(in, pc + 1 + i.jf(), a);
                }
            } else if (cls != Bpf.BPF_RET) {
                flow(in, pc + 1, a);
            }
        }
        return out;
    }

    private static void flow(List<Set<String>> in, int to, Set<String> a) {
        if (to < in.size()) {
            in.get(to).addAll(a);
        }
    }
}
