package dev.syscage.policy.compile;

import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.Verifier;
import dev.syscage.policy.build.ProgramBuilder;
import dev.syscage.policy.lower.CondLowering;
import dev.syscage.policy.lower.NumberLine;
import dev.syscage.policy.model.Policy;
import java.util.Map;

/**
 * Compiles a validated policy to a seccomp BPF program:
 *
 * <pre>
 *   ld  [arch]                       arch dispatch: one jeq per policy arch, else bad_arch
 *   ld  [nr]                         search tree over the 32-bit number space:
 *   jge/jeq ...                        known syscalls, unknown numbers, x32 (→ bad_arch), -1
 *   leaves: ret ACTION               argument-independent syscalls: decided on nr alone,
 *           ld [argN]; j.. ; ret       so the kernel's action cache can answer them
 * </pre>
 *
 * Steps, each recorded in {@link CompileStats}: stage lower ({@link NumberLine}, outcome blocks
 * by {@link CondLowering}) → stage search-tree (balanced, behind the arch dispatch) → the
 * optimizer passes of {@link Pass}, in order, those the options name → stage layout
 * ({@link ProgramBuilder}) → stage limits ({@link ProgramLimits}) → stage verify
 * ({@link Verifier}).
 */
public final class PolicyCompiler {
    private PolicyCompiler() {}

    public static CompiledFilter compile(Policy policy, CompileOptions options) {
        CompileStats.Recorder steps = new CompileStats.Recorder();
        Map<String, Long> frequency = TreeWeights.frequencies(policy, options);
        Draft lowered = steps.stage("lower", () -> Draft.lower(policy, frequency), d -> CompileStats.NO_PROGRAM);
        Draft d = steps.stage("search-tree", lowered::balanced, t -> t.layout().length());
        for (Pass p : Pass.values()) {
            d = steps.pass(p, options.runs(p), d);
        }
        Draft optimized = d;
        Program program = steps.stage("layout", optimized::layout, Program::length);
        steps.check("limits", () -> ProgramLimits.check(program, policy.name()));
        // anything the verifier finds is a compiler bug, not the user's: it throws
        steps.check("verify", () -> Verifier.check(program));
        return new CompiledFilter(policy, program, options, steps.stats());
    }
}
