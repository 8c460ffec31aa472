package dev.syscage.bench;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.Frequency;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.lower.Outcome;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.oci.ImportOptions;
import dev.syscage.policy.oci.OciImporter;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * The compiler benchmark: Docker's default profile (x86_64, Docker's default capabilities)
 * compiled by syscage and by libseccomp (optimize level 2, through the C comparator), measured
 * the same way and printed side by side with ratios.
 *
 * <p>usage: CompilerBench MOBY_JSON LIBSECCOMP_COMPARATOR WORK_DIR
 */
public final class CompilerBench {
    private static final Arch ARCH = Arch.X86_64;
    private static final int ITERATIONS = 2000;

    private CompilerBench() {}

    public static void main(String[] args) throws Exception {
        Path moby = Path.of(args[0]);
        Path comparator = Path.of(args[1]);
        Path work = Files.createDirectories(Path.of(args[2]));
        String kernel = "6.18";

        // syscage: OCI import (without runc's ENOSYS stub, which libseccomp does not add either)
        ImportOptions io = new ImportOptions(null, List.of(ARCH), kernel, false);
        String yaml = OciImporter.importProfile(moby, io).yaml();
        Files.writeString(work.resolve("moby.yaml"), yaml);
        LoadOptions lo = new LoadOptions(List.of(), List.of(ARCH));
        Policy policy = PolicyLoader.loadString("moby.yaml", yaml, lo);
        Program ours = PolicyCompiler.compile(policy, CompileOptions.defaults()).program();
        Files.write(work.resolve("syscage.bpf"), ours.toBytes());
        double compileUs = medianMicros(() -> PolicyCompiler.compile(policy, CompileOptions.defaults()));
        double loadCompileUs = medianMicros(() ->
                PolicyCompiler.compile(PolicyLoader.loadString("moby.yaml", yaml, lo), CompileOptions.defaults()));

        // libseccomp: the same entries Docker keeps, through the C comparator
        Path rules = work.resolve("moby.rules");
        LibseccompRules.write(
                rules, LibseccompRules.convert(moby, ImportOptions.DOCKER_DEFAULT_CAPS, "amd64", new int[] {6, 18}));
        Path theirsFile = work.resolve("libseccomp.bpf");
        Process proc = new ProcessBuilder(comparator.toString(), rules.toString(), theirsFile.toString(), "500")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String line = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (proc.waitFor() != 0) {
            throw new IllegalStateException("comparator failed: " + line);
        }
        String[] f = line.split("\\s+");
        String libVersion = f[0] + " " + f[1];
        double theirCompileUs = Double.parseDouble(f[3]);
        Program theirs = Program.fromBytes(Files.readAllBytes(theirsFile));

        ArchPolicy ap = policy.forArch(ARCH).orElseThrow();
        BitSet wanted = new BitSet();
        for (int nr = 0; nr <= ap.table().maxNumber(); nr++) {
            Outcome o = ap.table().isKnown(nr)
                    ? Outcome.of(ap.clausesFor(nr), ap.defaultAction())
                    : Outcome.fixed(ap.unknownAction());
            if (o.isFixed() && o.fallback().equals(Action.ALLOW)) {
                wanted.set(nr);
            }
        }
        Map<String, Long> mix = Frequency.shipped();
        ProgramMetrics a = ProgramMetrics.of(ours, ARCH, wanted, mix);
        ProgramMetrics b = ProgramMetrics.of(theirs, ARCH, wanted, mix);

        System.out.printf("Docker default profile, x86_64, default capabilities (%s)%n", moby.getFileName());
        System.out.printf("%-52s %12s %14s %8s%n", "", "syscage", libVersion + " o2", "ratio");
        row("program length (instructions)", a.length(), b.length());
        row("mean instructions, every syscall number", a.meanAll(), b.meanAll());
        row("max instructions, every syscall number", a.maxAll(), b.maxAll());
        System.out.printf(
                "%-52s %12s %14s%n",
                "arg-independent ALLOW syscalls cacheable",
                a.cacheable() + "/" + a.cacheableWanted(),
                b.cacheable() + "/" + b.cacheableWanted());
        row("frequency mix: instructions per call (uncached)", a.mixUncached(), b.mixUncached());
        System.out.printf(
                "%-52s %11.2f%% %13.2f%%%n",
                "frequency mix: calls the cache does not answer", 100 * a.uncachedShare(), 100 * b.uncachedShare());
        row("compile time, µs (median; syscage warm JVM)", compileUs, theirCompileUs);
        System.out.printf("%-52s %12.1f%n", "syscage YAML load + compile, µs (median)", loadCompileUs);
    }

    private static void row(String name, double ours, double theirs) {
        System.out.printf("%-52s %12.2f %14.2f %8.3f%n", name, ours, theirs, theirs == 0 ? 0 : ours / theirs);
    }

    private static double medianMicros(Runnable r) {
        for (int i = 0; i < ITERATIONS; i++) {
            r.run();
        }
        double[] t = new double[ITERATIONS];
        for (int i = 0; i < ITERATIONS; i++) {
            long s = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - s) / 1e3;
        }
        Arrays.sort(t);
        return t[ITERATIONS / 2];
    }
}
