package dev.syscage.policy.eval;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.Policy;
import java.util.Optional;

/**
 * Decides a syscall from the policy model directly, with no BPF involved. It is the oracle the
 * compiler is tested against, so it is written for obviousness, not speed. The order of checks
 * is the documented meaning of a policy (docs/policy.md, "How a syscall is decided").
 */
public final class ReferenceEvaluator {
    private ReferenceEvaluator() {}

    public static Decision decide(Policy policy, SeccompData data) {
        Optional<Arch> arch = Arch.byAuditArch(data.arch());
        Optional<ArchPolicy> ap = arch.flatMap(policy::forArch);
        if (ap.isEmpty()) {
            return new Decision(policy.badArchAction(), policy.badArchRef());
        }
        ArchPolicy p = ap.get();
        int nr = data.nr();
        if (nr == -1) {
            return new Decision(p.unknownAction(), p.unknownRef());
        }
        if (p.arch() == Arch.X86_64 && Integer.compareUnsigned(nr, Arch.X32_SYSCALL_BIT) >= 0) {
            return new Decision(policy.badArchAction(), policy.badArchRef());
        }
        if (!p.table().isKnown(nr)) {
            return new Decision(p.unknownAction(), p.unknownRef());
        }
        long[] args = data.args();
        for (Clause c : p.clausesFor(nr)) {
            if (Cond.eval(c.when(), args)) {
                return new Decision(c.action(), c.rule());
            }
        }
        return new Decision(p.defaultAction(), p.defaultRef());
    }
}
