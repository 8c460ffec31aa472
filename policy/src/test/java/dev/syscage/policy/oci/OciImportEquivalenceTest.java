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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Imports OCI profiles and checks, for every syscall number of each architecture (and a few
 * above, -1 and x32 numbers) and a set of argument values, that the imported policy decides
 * as {@link OciSemantics} reads the JSON. Two differences are intended and asserted as such:
 * syscage compares only the bits of an argument the kernel uses (so OCI is consulted with each
 * argument zero-extended from its width; {@link #garbageInTheUpperHalf} shows the difference),
 * -1 on x86_64 and table holes below runc's ENOSYS line take the {@code unknown} action, and a
 * syscall runc's ENOSYS stub covers on one architecture but not on another keeps the default
 * action (one rule list cannot say both).
 */
class OciImportEquivalenceTest {
    static final String MOBY = "shared/reference/oci/moby-default.json";

    @Test
    void mobyDefaultWithDockersCapabilities() throws IOException {
        String json = Files.readString(mobyOrSkip());
        assertEquivalent("moby-default.json", json, new ImportOptions(null, List.of(Arch.X86_64, Arch.I386), "6.18"));
    }

    @Test
    void mobyDefaultWithSysAdminOnAnOldKernel() throws IOException {
        String json = Files.readString(mobyOrSkip());
        Set<String> caps = new TreeSet<>(ImportOptions.DOCKER_DEFAULT_CAPS);
        caps.addAll(Set.of("CAP_SYS_ADMIN", "CAP_SYS_PTRACE"));
        assertEquivalent("moby-default.json", json, new ImportOptions(caps, List.of(Arch.X86_64, Arch.I386), "4.4"));
    }

    @Test
    void mobyDefaultOnArm64() throws IOException {
        String json = Files.readString(mobyOrSkip());
        assertEquivalent("moby-default.json", json, new ImportOptions(null, List.of(Arch.AARCH64), "6.18"));
    }

    /** The moby tests' twins on a hand-made profile of the same shape, so that a plain clone runs them too. */
    @Test
    void dockerShapedWithDockersCapabilities() {
        assertEquivalent(
                "docker-shaped.json", dockerShaped(), new ImportOptions(null, List.of(Arch.X86_64, Arch.I386), "6.18"));
    }

    @Test
    void dockerShapedWithSysAdminOnAnOldKernel() {
        Set<String> caps = new TreeSet<>(ImportOptions.DOCKER_DEFAULT_CAPS);
        caps.addAll(Set.of("CAP_SYS_ADMIN", "CAP_SYS_PTRACE"));
        assertEquivalent(
                "docker-shaped.json", dockerShaped(), new ImportOptions(caps, List.of(Arch.X86_64, Arch.I386), "4.4"));
    }

    @Test
    void dockerShapedOnArm64() {
        assertEquivalent("docker-shaped.json", dockerShaped(), new ImportOptions(null, List.of(Arch.AARCH64), "6.18"));
    }

    @Test
    void miniWithDockersCapabilities() {
        assertEquivalent("mini.json", mini(), new ImportOptions(null, List.of(Arch.X86_64, Arch.I386), "6.18"));
    }

    @Test
    void miniWithMoreCapabilitiesOnAnOldKernel() {
        Set<String> caps = new TreeSet<>(ImportOptions.DOCKER_DEFAULT_CAPS);
        caps.addAll(Set.of("CAP_SYS_ADMIN", "CAP_NET_ADMIN"));
        assertEquivalent("mini.json", mini(), new ImportOptions(caps, List.of(Arch.X86_64, Arch.I386), "4.19"));
    }

    @Test
    void miniOnAnI386Host() {
        assertEquivalent("mini.json", mini(), new ImportOptions(null, List.of(Arch.I386), "6.18"));
    }

    @Test
    void miniOnArm64WithoutTheEnosysStub() {
        assertEquivalent("mini.json", mini(), new ImportOptions(null, List.of(Arch.AARCH64), "6.18", false, true));
    }

    /** Values wider than the argument: read at the kernel's width on x86_64, cut to 32 bits by libseccomp on i386. */
    @Test
    void valuesWiderThanTheArgumentOnX86_64() {
        assertEquivalent(
                "width.json",
                CallCorpus.resource("/oci/width.json"),
                new ImportOptions(null, List.of(Arch.X86_64), "6.18"));
    }

    @Test
    void valuesWiderThanTheArgumentOnI386() {
        assertEquivalent(
                "width.json",
                CallCorpus.resource("/oci/width.json"),
                new ImportOptions(null, List.of(Arch.I386), "6.18"));
    }

    /**
     * The intended difference: libseccomp compares all 64 bits, the kernel uses the low 32 of an
     * unsigned int. personality(0xffffffff) passed sign-extended is allowed by the import, since
     * the kernel sees 0xffffffff, and refused by libseccomp.
     */
    @Test
    void garbageInTheUpperHalf() {
        String json = mini();
        ImportOptions o = new ImportOptions(null, List.of(Arch.X86_64), "6.18");
        Policy p = CallCorpus.load(
                "imported.yaml", OciImporter.importString("mini.json", json, o).yaml());
        OciSemantics oci = new OciSemantics(json, Arch.X86_64, o.arches(), o.caps(), o.kernel(), true);
        int nr =
                SyscallTable.of(Arch.X86_64).byName("personality").orElseThrow().nr();
        SeccompData signExtended = SeccompData.of(nr, Arch.X86_64.auditArch(), -1L);
        assertEquals(Action.errno(1), oci.decide(signExtended));
        assertEquals(Action.ALLOW, ReferenceEvaluator.decide(p, signExtended).action());
    }

    static void assertEquivalent(String name, String json, ImportOptions o) {
        ImportResult r = OciImporter.importString(name, json, o);
        Policy policy = CallCorpus.load("imported.yaml", r.yaml());
        OciSemantics oci = new OciSemantics(json, o.arches().get(0), o.arches(), o.caps(), o.kernel(), o.runcEnosys());
        Action unknown = policy.arches().get(0).unknownAction();
        int compared = 0;
        for (Arch arch : o.arches()) {
            compared += CallCorpus.assertSame(
                    name,
                    arch,
                    d -> expected(oci, o.arches(), arch, d, unknown),
                    d -> ReferenceEvaluator.decide(policy, d).action(),
                    r.yaml());
        }
        assertTrue(compared > 100_000, "compared only " + compared + " calls");
    }

    /** What OCI decides, with the intended differences applied (see the class comment). */
    static Action expected(OciSemantics oci, List<Arch> arches, Arch arch, SeccompData raw, Action unknown) {
        int nr = raw.nr();
        if (CallCorpus.unknownDiffers(arch, nr, oci.stubbed(arch, nr))) {
            return unknown;
        }
        Optional<Syscall> s = SyscallTable.of(arch).byNumber(nr);
        if (s.isPresent()
                && oci.stubbed(arch, nr)
                && stubbedOnlySomewhere(oci, arches, s.get().name())) {
            return oci.defaultAction();
        }
        return oci.decide(CallCorpus.canonical(raw, s));
    }

    private static boolean stubbedOnlySomewhere(OciSemantics oci, List<Arch> arches, String name) {
        return arches.stream()
                .anyMatch(a -> SyscallTable.of(a)
                        .byName(name)
                        .map(s -> !oci.stubbed(a, s.nr()))
                        .orElse(false));
    }

    /**
     * A hand-made profile in the shape of Docker's default (one big allow list; entries by
     * argument, architecture, capability and kernel; clone3 answered ENOSYS without
     * CAP_SYS_ADMIN), with lists of its own: what the moby tests check, in every clone.
     */
    static String dockerShaped() {
        return CallCorpus.resource("/oci/docker-shaped.json");
    }

    static String mini() {
        return CallCorpus.resource("/oci/mini.json");
    }

    /** ../shared/reference/oci/moby-default.json, found by walking up from the working directory; skips when absent. */
    static Path mobyOrSkip() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve(MOBY);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        Assumptions.assumeTrue(
                false,
                "../shared/reference/oci/moby-default.json not present (only in the "
                        + "development workspace); the fixture oci/docker-shaped.json covers the same ground");
        return null;
    }
}
