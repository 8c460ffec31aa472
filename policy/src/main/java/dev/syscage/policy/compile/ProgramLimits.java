package dev.syscage.policy.compile;

import dev.syscage.policy.bpf.Bpf;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.Verifier;
import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.PolicyException;
import java.util.List;

/** The last stage: the program must be one the kernel accepts. */
final class ProgramLimits {
    private ProgramLimits() {
    }

    static void check(Program p, String policyName) {
        if (p.length() > Bpf.BPF_MAXINSNS) {
            throw new PolicyException(List.of(Diagnostic.error(null, "policy '" + policyName + "' compiles to " + p.length()
                    + " instructions; the kernel accepts " + Bpf.BPF_MAXINSNS
                    + " (split the policy, or use fewer argument conditions)")));
        }
        // anything else the verifier finds is a compiler bug, not the user's: it throws
        Verifier.check(p);
    }
}
