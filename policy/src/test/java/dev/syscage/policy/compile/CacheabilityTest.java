package dev.syscage.policy.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.bpf.KernelCache;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.lower.Outcome;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

/**
 * The kernel caches ALLOW for a syscall only if its emulator can prove the filter allows it
 * without looking at arguments. Every syscall the policy allows unconditionally must be
 * cacheable, and whatever is cacheable must be allowed whatever its arguments.
 */
class CacheabilityTest {

    @Test
    void unconditionallyAllowedSyscallsAreExactlyTheCacheableOnes() {
        RandomPolicies gen = new RandomPolicies(77);
        java.util.Random rnd = new java.util.Random(78);
        for (int i = 0; i < 150; i++) {
            RandomPolicies.Generated g = gen.policy();
            for (boolean optimize : new boolean[] {true, false}) {
                Program p;
                try {
                    p = PolicyCompiler.compile(g.policy(), new CompileOptions(optimize, java.util.Map.of()))
                            .program();
                } catch (dev.syscage.policy.diag.PolicyException tooLong) {
                    continue; // only unoptimized three-arch programs can be over the limit
                }
                for (ArchPolicy ap : g.policy().arches()) {
                    int max = ap.table().maxNumber();
                    BitSet expected = new BitSet();
                    for (int nr = 0; nr <= max; nr++) {
                        Action fixed = fixedAction(ap, nr);
                        if (Action.ALLOW.equals(fixed)) {
                            expected.set(nr);
                        }
                    }
                    BitSet cached = KernelCache.constantAllow(p, ap.arch().auditArch(), max);
                    BitSet missing = (BitSet) expected.clone();
                    missing.andNot(cached);
                    assertTrue(
                            missing.isEmpty(),
                            "not cacheable: " + missing + " (policy " + i + ", " + ap.arch() + ", optimize=" + optimize
                                    + ")\n" + DifferentialTest.describe(g.policy()));
                    // the converse: what the kernel would cache must really be allowed whatever the arguments
                    // (a condition that folds to true makes a syscall cacheable beyond `expected`)
                    for (int nr = cached.nextSetBit(0); nr >= 0; nr = cached.nextSetBit(nr + 1)) {
                        for (int k = 0; k < 20; k++) {
                            SeccompData d = new SeccompData(nr, ap.arch().auditArch(), rnd.nextLong(), new long[] {
                                rnd.nextLong(), rnd.nextLong(), k, -k, rnd.nextInt(), 1L << k
                            });
                            assertEquals(
                                    Action.ALLOW,
                                    ReferenceEvaluator.decide(g.policy(), d).action(),
                                    "cached but not allowed: " + d);
                        }
                    }
                }
            }
        }
    }

    private static Action fixedAction(ArchPolicy ap, int nr) {
        if (!ap.table().isKnown(nr)) {
            return ap.unknownAction();
        }
        Outcome o = Outcome.of(ap.clausesFor(nr), ap.defaultAction());
        return o.isFixed() ? o.fallback() : null;
    }
}
