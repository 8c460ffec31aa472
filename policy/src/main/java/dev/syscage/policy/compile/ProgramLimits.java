package dev.syscage.policy.compile;

import dev.syscage.policy.bpf.Bpf;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.PolicyException;
import java.util.List;

/**
 * The limits stage: a program longer than the kernel accepts is the user's problem (the policy
 * is too large), reported as a policy error naming the limit. What else the kernel would refuse
 * is a compiler bug, found by the verify stage after this one.
 */
final class ProgramLimits {
    private ProgramLimits() {}

    static void check(Program p, String policyName) {
        if (p.length() > Bpf.BPF_MAXINSNS) {
            throw new PolicyException(List.of(Diagnostic.error(
                    null,
                    "policy '" + policyName + "' compiles to " + p.length()
                            + " instructions; the kernel accepts " + Bpf.BPF_MAXINSNS
                            + " (split the policy, or use fewer argument conditions)")));
        }
    }
}
