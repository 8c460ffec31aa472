package dev.syscage.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.syscage.kernel.ProbeCase.Abi;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.bpf.Interpreter;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.Pass;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The optimizer's passes in the kernel: the shipped default profile on x86_64, in its
 * fingerprint variant (every rule its own errno, so nothing runs and the errno names the rule),
 * compiled with each pass left out alone and with none, really installed by syscage-probe
 * (guarded). For every syscall number, -1, numbers past the table and x32 numbers, and for the
 * argument-checked syscalls a few argument values, the kernel's errno must be what the
 * interpreter computes on the fully optimized program.
 */
class PassesKernelTest {
    private static final Path PROFILES = Path.of("../profiles");
    private static final long[] VALUES = {1, 2, 40, 0x10000000L | 17, 0x7fffffff, 0xffffffffL, -1L};

    @Test
    @Timeout(600)
    void eachPassLeftOutBehavesTheSameInTheKernel() {
        Policy policy = Fingerprints.of(PolicyLoader.load(
                PROFILES.resolve("default.yaml"), new LoadOptions(List.of(PROFILES), List.of(Arch.X86_64))));
        Program full = PolicyCompiler.compile(policy, CompileOptions.defaults()).program();
        List<ProbeCase> cases = cases(policy.arches().get(0));
        List<CompileOptions> variants = new ArrayList<>();
        for (Pass p : Pass.values()) {
            variants.add(CompileOptions.defaults().without(p));
        }
        variants.add(CompileOptions.unoptimized());
        List<String> mismatches = new ArrayList<>();
        for (CompileOptions o : variants) {
            Program fewer = PolicyCompiler.compile(policy, o).program();
            List<KernelResult> got = Probe.run(fewer, cases, true);
            for (int i = 0; i < cases.size(); i++) {
                Action want = Action.fromSeccompRet(
                        Interpreter.eval(full, cases.get(i).data()));
                if (want.kind() != Action.Kind.ERRNO || !got.get(i).isErrno(want.value())) {
                    mismatches.add("passes " + o.passes() + ", case '"
                            + cases.get(i).line() + "': kernel " + got.get(i) + ", interpreter on all passes " + want);
                }
            }
        }
        if (!mismatches.isEmpty()) {
            fail(mismatches.size() + " mismatches; the first: "
                    + String.join("\n", mismatches.subList(0, Math.min(5, mismatches.size()))));
        }
        assertTrue(cases.size() > 400, cases.size() + " cases");
    }

    private static List<ProbeCase> cases(ArchPolicy ap) {
        int arch = ap.arch().auditArch();
        List<SeccompData> data = new ArrayList<>();
        for (int nr = -1; nr <= ap.table().maxNumber() + 3; nr++) {
            data.add(SeccompData.of(nr, arch, 0, 0, 0, 0, 0, 0));
            if (!ap.clausesFor(nr).stream().allMatch(Clause::unconditional)) {
                for (long v : VALUES) {
                    data.add(SeccompData.of(nr, arch, v, v, v, v, v, v));
                    data.add(SeccompData.of(nr, arch, v, 0, 0, 0, 0, 0));
                    data.add(SeccompData.of(nr, arch, 0, v, 0, 0, 0, 0));
                }
            }
        }
        for (int nr : List.of(Arch.X32_SYSCALL_BIT, Arch.X32_SYSCALL_BIT + 1, Arch.X32_SYSCALL_BIT + 59)) {
            data.add(SeccompData.of(nr, arch, 0, 0, 0, 0, 0, 0));
        }
        List<ProbeCase> out = new ArrayList<>();
        for (SeccompData d : data) {
            ProbeCase c = ProbeCase.forData(d);
            if (c != null && c.abi() == Abi.X86_64 && !KernelQuirks.unfiltered(c)) {
                out.add(c);
            }
        }
        return out;
    }
}
