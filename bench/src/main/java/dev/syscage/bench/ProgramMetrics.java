package dev.syscage.bench;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.Interpreter;
import dev.syscage.policy.bpf.KernelCache;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.SeccompData;
import java.util.BitSet;
import java.util.Map;

/**
 * What the compiler benchmark measures of one program, all counted by the interpreter and the
 * kernel action-cache emulator, so both compilers' programs are measured the same way.
 */
record ProgramMetrics(
        int length,
        double meanAll,
        int maxAll,
        int cacheable,
        int cacheableWanted,
        double mixUncached,
        double uncachedShare) {

    /**
     * @param wanted syscall numbers the policy allows whatever the arguments
     * @param mix    syscall name → calls, the frequency mix
     */
    static ProgramMetrics of(Program p, Arch arch, BitSet wanted, Map<String, Long> mix) {
        SyscallTable table = SyscallTable.of(arch);
        int max = table.maxNumber();
        long sum = 0;
        int worst = 0;
        for (int nr = 0; nr <= max; nr++) {
            int n = Interpreter.run(p, SeccompData.of(nr, arch.auditArch())).executed();
            sum += n;
            worst = Math.max(worst, n);
        }
        BitSet cached = KernelCache.constantAllow(p, arch.auditArch(), max);
        BitSet kept = (BitSet) wanted.clone();
        kept.and(cached);
        double calls = 0;
        double uncachedCalls = 0;
        double instructions = 0;
        for (Map.Entry<String, Long> e : mix.entrySet()) {
            Syscall s = table.byName(e.getKey()).orElse(null);
            if (s == null) {
                continue;
            }
            calls += e.getValue();
            if (!cached.get(s.nr())) {
                uncachedCalls += e.getValue();
                instructions += e.getValue()
                        * (double) Interpreter.run(p, SeccompData.of(s.nr(), arch.auditArch()))
                                .executed();
            }
        }
        return new ProgramMetrics(
                p.length(),
                (double) sum / (max + 1),
                worst,
                kept.cardinality(),
                wanted.cardinality(),
                calls == 0 ? 0 : instructions / calls,
                calls == 0 ? 0 : uncachedCalls / calls);
    }
}
