package dev.syscage.policy.compile;

import static org.junit.jupiter.api.Assertions.fail;

import dev.syscage.policy.bpf.Disassembler;
import dev.syscage.policy.bpf.Interpreter;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.bpf.Verifier;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.eval.Decision;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Policy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The compiler against its oracle: random policies × random seccomp_data, the reference
 * evaluator's action must equal what the interpreter computes on the optimized and on the
 * unoptimized program. At least 100k cases a run; the seed changes with -Dsyscage.seed.
 */
class DifferentialTest {
    private static final int POLICIES = 600;
    private static final int DATA_PER_POLICY = 200;

    @Test
    void compiledProgramsDecideLikeThePolicy() {
        long seed = Long.getLong("syscage.seed", 20261126L);
        RandomPolicies gen = new RandomPolicies(seed);
        long cases = 0;
        int tooLong = 0;
        for (int i = 0; i < POLICIES; i++) {
            RandomPolicies.Generated g = gen.policy();
            Program opt = PolicyCompiler.compile(g.policy(), CompileOptions.defaults())
                    .program();
            Program plain = unoptimized(g.policy());
            if (plain == null) {
                tooLong++;
                plain = opt;
            }
            for (Program p : List.of(opt, plain)) {
                if (!Verifier.verify(p).isEmpty()) {
                    fail("policy " + i + " (seed " + seed + ") compiles to an invalid program: " + Verifier.verify(p)
                            + "\n" + describe(g.policy()) + Disassembler.disassemble(p));
                }
            }
            for (int d = 0; d < DATA_PER_POLICY; d++) {
                SeccompData data = gen.data(g);
                Decision want = ReferenceEvaluator.decide(g.policy(), data);
                int gotOpt = Interpreter.run(opt, data).ret();
                int gotPlain = Interpreter.run(plain, data).ret();
                if (gotOpt != want.action().seccompRet()
                        || gotPlain != want.action().seccompRet()) {
                    fail("mismatch (seed " + seed + ", policy " + i + ") on " + data + "\n"
                            + "reference: " + want.action() + " by "
                            + want.rule().describe() + "\n"
                            + String.format("optimized: 0x%08x, unoptimized: 0x%08x%n", gotOpt, gotPlain)
                            + describe(g.policy())
                            + "--- optimized\n" + Disassembler.disassemble(opt)
                            + "--- unoptimized\n" + Disassembler.disassemble(plain));
                }
                cases += 2;
            }
        }
        if (cases < 100_000) {
            fail("only " + cases + " cases ran");
        }
        if (tooLong > POLICIES / 10) {
            fail(tooLong + " of " + POLICIES + " unoptimized programs were over the kernel's limit");
        }
    }

    /**
     * The unoptimized program, or null when it is over the kernel's length limit: without
     * coalescing, a three-arch policy can need more than 4096 instructions, and that is the
     * optimizer's reason to exist, not a bug.
     */
    private static Program unoptimized(Policy p) {
        try {
            return PolicyCompiler.compile(p, CompileOptions.unoptimized()).program();
        } catch (PolicyException e) {
            if (e.getMessage().contains("; the kernel accepts 4096")) {
                return null;
            }
            throw e;
        }
    }

    static String describe(Policy p) {
        StringBuilder sb = new StringBuilder("policy: bad_arch=" + p.badArchAction() + "\n");
        for (ArchPolicy ap : p.arches()) {
            sb.append("arch ")
                    .append(ap.arch())
                    .append(" default=")
                    .append(ap.defaultAction())
                    .append(" unknown=")
                    .append(ap.unknownAction())
                    .append('\n');
            for (Map.Entry<Integer, List<Clause>> e : ap.clauses().entrySet()) {
                sb.append("  nr ").append(e.getKey()).append(":");
                for (Clause c : e.getValue()) {
                    sb.append(" [")
                            .append(c.when())
                            .append(" -> ")
                            .append(c.action())
                            .append(']');
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
