package dev.syscage.kernel;

import static org.junit.jupiter.api.Assertions.fail;

import dev.syscage.kernel.ProbeCase.Abi;
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
 * other arches is dropped. The seed changes with -Dsyscage.seed.
 *
 * <p>The calls are drawn once, then made in two tests: the {@code syscall} ones everywhere, the
 * {@code int $0x80} ones where the kernel has IA-32 emulation ({@link Ia32}), skipped elsewhere;
 * a third test checks the int $0x80 ones in the interpreter against the reference only, which
 * runs everywhere. Whether int $0x80 works does not change the draw: a seed gives the same calls
 * on both kinds of machine.
 */
class KernelDifferentialTest {
    private static final int POLICIES = 100;
    private static final int DATA_PER_POLICY = 60;
    /** At least this many calls of each ABI a run (the default seed draws 10,276 and 1,724). */
    private static final Map<Abi, Integer> MIN_CASES = Map.of(Abi.X86_64, 8_000, Abi.I386, 1_000);

    private static final int MAX_REPORTED = 5;

    /** What decided the calls of one probe run, by ABI: counts shown after the run. */
    private record Outcome(List<String> mismatches, Map<String, Integer> decidedBy) {}

    /** One probe run: a policy's program and the cases it gets. */
    private record Job(int index, Policy policy, String variant, Program program, List<ProbeCase> cases) {}

    private static List<Job> drawn;

    @Test
    void kernelDecidesLikeTheInterpreterAndThePolicy() throws Exception {
        decideLikeThePolicy(Abi.X86_64, true);
    }

    @Test
    void kernelDecidesInt80CallsLikeTheInterpreterAndThePolicy() throws Exception {
        Ia32.assumeAvailable();
        decideLikeThePolicy(Abi.I386, true);
    }

    /** The int $0x80 calls' half that needs no kernel, so that it runs where they cannot be made. */
    @Test
    void interpreterDecidesTheInt80CallsLikeThePolicy() throws Exception {
        decideLikeThePolicy(Abi.I386, false);
    }

    /** The cases made through {@code abi}: in the kernel too, or only in the interpreter and the reference. */
    private static void decideLikeThePolicy(Abi abi, boolean inKernel) throws Exception {
        long seed = seed();
        long start = System.nanoTime();
        List<Job> jobs = new ArrayList<>();
        for (Job j : jobs(seed)) {
            List<ProbeCase> made =
                    j.cases().stream().filter(c -> c.abi() == abi).toList();
            if (!made.isEmpty()) {
                jobs.add(new Job(j.index(), j.policy(), j.variant(), j.program(), made));
            }
        }
        List<String> mismatches = new ArrayList<>();
        Map<String, Integer> decidedBy = new TreeMap<>();
        long cases = 0;
        ExecutorService pool =
                Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()));
        try {
            List<Future<Outcome>> done = new ArrayList<>();
            for (Job j : jobs) {
                done.add(pool.submit(() -> check(j, seed, inKernel)));
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
        String what = inKernel ? "kernel" : "interpreter only";
        System.out.printf(
                "kernel differential (%s, %s): %d calls under %d programs, %.1f s, seed %d, %d mismatches%n"
                        + "  decided by: %s%n",
                abi, what, cases, jobs.size(), seconds, seed, mismatches.size(), decidedBy);
        if (!mismatches.isEmpty()) {
            fail(mismatches.size() + " mismatches (" + what + ", seed " + seed + "); the first:\n"
                    + String.join("\n", mismatches.subList(0, Math.min(MAX_REPORTED, mismatches.size()))));
        }
        if (cases < MIN_CASES.get(abi)) {
            fail("only " + cases + " " + abi + " calls ran; at least " + MIN_CASES.get(abi) + " expected");
        }
    }

    private static long seed() {
        return Long.getLong("syscage.seed", 20261127L);
    }

    /** The jobs for the seed, drawn once for both tests. */
    private static synchronized List<Job> jobs(long seed) {
        if (drawn == null) {
            drawn = draw(seed);
        }
        return drawn;
    }

    /** Everything random is drawn here, in one thread, so a seed always gives the same cases. */
    private static List<Job> draw(long seed) {
        RandomPolicies gen = new RandomPolicies(seed);
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < POLICIES; i++) {
            RandomPolicies.Generated g = nativeArches(gen);
            Policy fp = Fingerprints.of(g.policy());
            List<ProbeCase> cases = cases(gen, new RandomPolicies.Generated(fp, g.constants(), g.numbers()));
            jobs.add(new Job(
                    i,
                    fp,
                    "optimized",
                    PolicyCompiler.compile(fp, CompileOptions.defaults()).program(),
                    cases));
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
                    .filter(ap -> ap.arch() == Arch.X86_64 || ap.arch() == Arch.I386)
                    .toList();
            Policy cut = new Policy(
                    p.name(),
                    p.description(),
                    kept,
                    p.badArchAction(),
                    p.badArchRef(),
                    p.rules(),
                    p.frequency(),
                    p.supervision(),
                    p.landlock());
            return new RandomPolicies.Generated(cut, g.constants(), g.numbers());
        }
    }

    /**
     * Random data this machine can issue, skipping the numbers its kernel never filters. i386
     * data is kept whether or not int $0x80 works here (where it does not, KernelQuirks has no
     * i386 numbers and none of these calls is made), so the draw is the same on every machine.
     */
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

    /**
     * Runs one job in the probe (guarded: should anything be let through, it still does not run),
     * or without {@code inKernel} only in the interpreter and the reference evaluator.
     */
    private static Outcome check(Job j, long seed, boolean inKernel) {
        List<KernelResult> kernel = inKernel ? Probe.run(j.program(), j.cases(), true) : null;
        List<String> mismatches = new ArrayList<>();
        Map<String, Integer> decidedBy = new TreeMap<>();
        for (int i = 0; i < j.cases().size(); i++) {
            ProbeCase c = j.cases().get(i);
            SeccompData data = c.data();
            Action interpreted =
                    Action.fromSeccompRet(Interpreter.run(j.program(), data).ret());
            Decision reference = ReferenceEvaluator.decide(j.policy(), data);
            KernelResult k = kernel == null ? null : kernel.get(i);
            boolean same = interpreted.equals(reference.action())
                    && interpreted.kind() == Action.Kind.ERRNO
                    && (k == null || k.isErrno(interpreted.value()));
            if (!same) {
                mismatches.add(report(j, seed, c, k, interpreted, reference));
            }
            decidedBy.merge(c.abi() + " " + reference.rule().kind().name().toLowerCase(Locale.ROOT), 1, Integer::sum);
        }
        return new Outcome(mismatches, decidedBy);
    }

    private static String report(Job j, long seed, ProbeCase c, KernelResult k, Action interpreted, Decision ref) {
        return "seed " + seed + ", policy " + j.index() + " (" + j.variant() + "), case '" + c.line() + "'\n"
                + "  seccomp_data: " + c.data() + "\n"
                + "  kernel:      "
                + (k == null
                        ? "not asked"
                        : k + (k.kind() == KernelResult.Kind.ERRNO ? " = " + Fingerprints.meaning(k.value()) : ""))
                + "\n  interpreter: " + interpreted + " = " + Fingerprints.meaning(interpreted.value())
                + "\n  reference:   " + ref.action() + " by " + ref.rule().describe() + "\n"
                + Fingerprints.describe(j.policy()) + "--- " + j.variant() + " program\n"
                + Disassembler.disassemble(j.program());
    }
}
