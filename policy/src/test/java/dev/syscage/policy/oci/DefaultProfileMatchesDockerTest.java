package dev.syscage.policy.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 6 promises that the shipped {@code default} profile makes Docker's decisions for Docker's
 * default capabilities. This test imports moby's default profile (Docker's 14 capabilities,
 * kernel 6.18, runc's ENOSYS stub for syscalls newer than the profile) for an x86_64 host (and
 * its i386 calls) and for an aarch64 host, and checks that {@code profiles/default.yaml} decides
 * every syscall number (and a few above, -1 and x32 numbers) × the argument sets of
 * {@link CallCorpus} as the import does, except for the deliberate differences the profile's
 * header documents. Those are asserted as differences (the profile's answer, and Docker
 * answering otherwise), so the list cannot silently go stale. Both sides are read by
 * {@link ReferenceEvaluator}, so numbers syscage does not know get each policy's {@code unknown}.
 */
class DefaultProfileMatchesDockerTest {
    static final Path PROFILE = Path.of("../profiles/default.yaml");

    /** Syscalls the profile denies for every argument although Docker allows them (see its header). */
    static final Map<String, Action> STRICTER = Map.of(
            "ptrace", Action.errno(1),
            "process_vm_readv", Action.errno(1),
            "process_vm_writev", Action.errno(1));

    /** x32 numbers on x86_64: the profile kills the process (syscage's bad_arch), libseccomp the thread. */
    static final Action PROFILE_BAD_ARCH = Action.KILL;

    static final Action DOCKER_BAD_ARCH = Action.KILL_THREAD;

    /** socketcall: denied on i386 (ENOSYS) so sockets cannot be made past the socket family rule. */
    static final Map<String, Action> STRICTER_ON_I386 = Map.of("socketcall", Action.errno(38));

    @Test
    void decidesAsDockerOnX86_64ExceptTheDocumentedDifferences() throws IOException {
        assertMatchesDocker(List.of(Arch.X86_64), Arch.X86_64, STRICTER);
    }

    /** i386 calls in the filter of an x86_64 host, where Docker applies the amd64 entries to them. */
    @Test
    void decidesAsDockerForI386CallsOnAnX86_64Host() throws IOException {
        Map<String, Action> stricter = new TreeMap<>(STRICTER);
        stricter.putAll(STRICTER_ON_I386);
        assertMatchesDocker(List.of(Arch.X86_64, Arch.I386), Arch.I386, stricter);
    }

    @Test
    void decidesAsDockerOnAarch64() throws IOException {
        assertMatchesDocker(List.of(Arch.AARCH64), Arch.AARCH64, STRICTER);
    }

    /**
     * Imports moby for a host whose filter covers {@code arches} (the first is the host) and
     * compares every call of the corpus on {@code arch}; lists up to 20 differences.
     */
    private static void assertMatchesDocker(List<Arch> arches, Arch arch, Map<String, Action> stricter)
            throws IOException {
        Policy docker = importMoby(arches);
        Policy profile = PolicyLoader.load(PROFILE, new LoadOptions(List.of(), arches));
        SyscallTable table = SyscallTable.of(arch);
        List<String> differences = new ArrayList<>();
        int compared = 0;
        for (int nr : CallCorpus.numbers(arch)) {
            Optional<String> name = table.byNumber(nr).map(Syscall::name);
            Optional<Action> deliberate = deliberate(arch, nr, name, stricter);
            for (long[] args : CallCorpus.argumentSets()) {
                if (differences.size() >= 20) {
                    break;
                }
                SeccompData d = SeccompData.of(nr, arch.auditArch(), args);
                Action fromDocker = ReferenceEvaluator.decide(docker, d).action();
                Action fromProfile = ReferenceEvaluator.decide(profile, d).action();
                Action want = deliberate.orElse(fromDocker);
                if (deliberate.isPresent() && fromDocker.equals(want)) {
                    differences.add(
                            name.orElse("#" + nr) + " is listed as a difference but Docker also decides " + want);
                } else if (!fromProfile.equals(want)) {
                    differences.add(name.orElse("#" + nr) + " " + d + ": Docker " + fromDocker + ", profile "
                            + fromProfile + (want.equals(fromDocker) ? "" : " (deliberate difference: " + want + ")"));
                }
                compared++;
            }
        }
        assertEquals(List.of(), differences, "default.yaml against moby-default.json on " + arch);
        assertTrue(compared > 100_000, "compared only " + compared + " calls");
    }

    /** The deliberate differences: the profile's answer for every call of the listed syscalls and of x32 numbers. */
    private static Optional<Action> deliberate(Arch arch, int nr, Optional<String> name, Map<String, Action> stricter) {
        if (arch == Arch.X86_64 && nr != -1 && Integer.compareUnsigned(nr, Arch.X32_SYSCALL_BIT) >= 0) {
            return Optional.of(PROFILE_BAD_ARCH);
        }
        return name.map(stricter::get);
    }

    /** The x32 difference seen from both sides, so a change of either bad_arch shows up here. */
    @Test
    void x32CallsKillTheProcessWhereDockerKillsTheThread() throws IOException {
        Policy docker = importMoby(List.of(Arch.X86_64));
        Policy profile = PolicyLoader.load(PROFILE, new LoadOptions(List.of(), List.of(Arch.X86_64)));
        SeccompData x32read = SeccompData.of(Arch.X32_SYSCALL_BIT, Arch.X86_64.auditArch(), 0L);
        assertEquals(DOCKER_BAD_ARCH, ReferenceEvaluator.decide(docker, x32read).action());
        assertEquals(
                PROFILE_BAD_ARCH, ReferenceEvaluator.decide(profile, x32read).action());
    }

    /** The moby profile imported as Docker resolves it for a default container on the first of {@code arches}. */
    private static Policy importMoby(List<Arch> arches) throws IOException {
        ImportOptions o = new ImportOptions(null, arches, "6.18");
        ImportResult r = OciImporter.importString("moby-default.json", Files.readString(mobyOrSkip()), o);
        return CallCorpus.load("moby-default.yaml", r.yaml());
    }

    /** ../shared/reference/oci/moby-default.json, found by walking up from the working directory; skips when absent. */
    static Path mobyOrSkip() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve(OciImportEquivalenceTest.MOBY);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        Assumptions.assumeTrue(
                false, "../shared/reference/oci/moby-default.json not present (only in the development workspace)");
        return null;
    }
}
