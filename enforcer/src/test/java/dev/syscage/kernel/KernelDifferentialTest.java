package dev.syscage.kernel;

import static org.junit.jupiter.api.Assertions.fail;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.bpf.Disassembler;
import dev.syscage.policy.bpf.Interpreter;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.compile.RandomPolicies;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.eval.Decision;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The interpreter against the kernel: random policies, in their fingerprint variant (every
 * rule and fallback its own errno, so nothing runs and the errno names the deciding rule),
 * compiled optimized and unoptimized, really installed by syscage-probe, and random
 * seccomp_data issued as real calls. For every case the kernel's errno must equal what the
 * interpreter computes on the same program and what the reference evaluator decides on the
 * policy. Policies list [x86_64] or [x86_64, i386], the arches this machine can issue; data for
 * other arches is dropped. At least 10k calls a run; the seed changes with -Dsyscage.seed.
 */
class KernelDifferentialTest {
    private static final int POLICIES = 100;
    private static final int DATA_PER_POLICY = 60;
    private static final int MIN_CASES = 10_000;
    private static final int MAX_REPORTED = 5;

    /** What decided the calls of one probe run, by ABI: counts shown after the run. */
    private record Outcome(List<String> mismatches, Map<String, Integer> decidedBy) {
    }

    /** One probe run: a policy's program and the cases it gets. */
    private record Job(int index, Policy policy, String variant, Program program, List<ProbeCase> cases) {
    }

    @Test
    void kernelDecidesLikeTheInterpreterAndThePolicy() throws Exception {
        long seed = Long.getLong("syscage.seed", 20261127L);
        long start = System.nanoTime();
        List<Job> jobs = jobs(seed);
        List<String> mismatches = new ArrayList<>();
        Map<String, Integer> decidedBy = new TreeMap<>();
        long cases = 0;
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()));
        try {
            List<Future<Outcome>> done = new ArrayList<>();
            for (Job j : jobs) {
                done.add(pool.submit(() -> check(j, seed)));
                cases += j.cases().size();
            }
            for (Future<Outcome> f : done) {
                mismatches.addAll(f.get().mismatches());
                f.get().decidedBy().forEach((k, v) -> decidedBy.merge(k, v, Integer::sum));
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("kernel differential: %d calls in %d probe runs, %.1f s, seed %d, %d mismatches%n"
                + "  decided by: %s%n", cases, jobs.size(), seconds, seed, mismatches.size(), decidedBy);
        if (!mismatches.isEmpty()) {
            fail(mismatches.size() + " mismatches between kernel and interpreter (seed " + seed + "); the first:\n"
                    + String.join("\n", mismatches.subList(0, Math.min(MAX_REPORTED, mismatches.size()))));
        }
        if (cases < MIN_CASES) {
            fail("only " + cases + " calls ran; at least " + MIN_CASES + " expected");
        }
    }

    /** Everything random is drawn here, in one thread, so a seed always gives the same cases. */
    private static List<Job> jobs(long seed) {
        RandomPolicies gen = new RandomPolicies(seed);
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < POLICIES; i++) {
            RandomPolicies.Generated g = nativeArches(gen);
            Policy fp = Fingerprints.of(g.policy());
            List<ProbeCase> cases = cases(gen, new RandomPolicies.Generated(fp, g.constants(), g.numbers()));
            jobs.add(new Job(i, fp, "optimized", PolicyCompiler.compile(fp, CompileOptions.defaults()).program(), cases));
            Program plain = unoptimized(fp);
            if (plain != null) {
                jobs.add(new Job(i, fp, "unoptimized", plain, cases));
            }
        }
        return jobs;
    }

    /** A generated policy cut down to x86_64 and i386; drawn again until it has x86_64. */
    private static RandomPolicies.Generated nativeArches(RandomPolicies gen) {
        while (true) {
            RandomPolicies.Generated g = gen.policy();
            Policy p = g.policy();
            if (p.forArch(Arch.X86_64).isEmpty()) {
                continue;
            }
            List<ArchPolicy> kept = p.arches().stream()
                    .filter(ap -> ap.arch() == Arch.X86_64 || ap.arch() == Arch.I386).toList();
            Policy cut = new Policy(p.name(), p.description(), kept, p.badArchAction(), p.badArchRef(), p.rules(),
                    p.frequency(), p.supervision(), p.landlock());
            return new RandomPolicies.Generated(cut, g.constants(), g.numbers());
        }
    }

    /** Random data this machine can issue, skipping the numbers its kernel never filters. */
    private static List<ProbeCase> cases(RandomPolicies gen, RandomPolicies.Generated g) {
        List<ProbeCase> out = new ArrayList<>();
        for (int tries = 0; out.size() < DATA_PER_POLICY && tries < DATA_PER_POLICY * 10; tries++) {
            ProbeCase c = ProbeCase.forData(gen.data(g));
            if (c != null && !KernelQuirks.unfiltered(c)) {
                out.add(c);
            }
        }
        return out;
    }

    /** The unoptimized program, or null when it is over the kernel's 4096 instructions. */
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

    /** Runs one job in the probe (guarded: should anything be let through, it still does not run). */
    private static Outcome check(Job j, long seed) {
        List<KernelResult> kernel = Probe.run(j.program(), j.cases(), true);
        List<String> mismatches = new ArrayList<>();
        Map<String, Integer> decidedBy = new TreeMap<>();
        for (int i = 0; i < j.cases().size(); i++) {
            ProbeCase c = j.cases().get(i);
            SeccompData data = c.data();
            Action interpreted = Action.fromSeccompRet(Interpreter.run(j.program(), data).ret());
            Decision reference = ReferenceEvaluator.decide(j.policy(), data);
            KernelResult k = kernel.get(i);
            boolean same = interpreted.equals(reference.action()) && interpreted.kind() == Action.Kind.ERRNO
                    && k.isErrno(interpreted.value());
            if (!same) {
                mismatches.add(report(j, seed, c, k, interpreted, reference));
            }
            decidedBy.merge(c.abi() + " " + reference.rule().kind().name().toLowerCase(Locale.ROOT), 1,
                    Integer::sum);
        }
        return new Outcome(mismatches, decidedBy);
    }

    private static String report(Job j, long seed, ProbeCase c, KernelResult k, Action interpreted, Decision ref) {
        return "seed " + seed + ", policy " + j.index() + " (" + j.variant() + "), case '" + c.line() + "'\n"
                + "  seccomp_data: " + c.data() + "\n"
                + "  kernel:      " + k + (k.kind() == KernelResult.Kind.ERRNO ? " = " + Fingerprints.meaning(k.value()) : "")
                + "\n  interpreter: " + interpreted + " = " + Fingerprints.meaning(interpreted.value())
                + "\n  reference:   " + ref.action() + " by " + ref.rule().describe() + "\n"
                + Fingerprints.describe(j.policy()) + "--- " + j.variant() + " program\n"
                + Disassembler.disassemble(j.program());
    }
}
