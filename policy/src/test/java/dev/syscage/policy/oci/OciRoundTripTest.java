package dev.syscage.policy.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Exports policies and checks two things on every call of {@link CallCorpus}: the JSON means
 * what the policy means, as {@link OciSemantics} reads it with raw 64-bit arguments (the export
 * is exact, garbage above 32-bit arguments included); and importing the JSON back gives a
 * policy that decides every call the same. The test policies choose the {@code unknown} action
 * runc gives numbers above the table; -1 on x86_64 and holes in the table are left to it
 * ({@link CallCorpus#unknownDiffers}).
 */
class OciRoundTripTest {
    static final String ALLOWLIST = """
            version: 1
            name: allowlist
            arch: [x86_64, i386]
            default: kill
            unknown: errno ENOSYS
            bad_arch: kill_thread
            rules:
              - action: allow
                syscalls: [read, write, close, exit_group, rt_sigreturn, brk]
              - action: allow
                syscalls: [socket]
                when: "family == AF_INET || family == AF_INET6 || family == AF_UNIX"
              - action: errno EAFNOSUPPORT
                syscalls: [socket]
              - action: allow
                syscalls: [ioctl]
                when: "cmd == TCGETS || cmd == FIONREAD"
              - action: errno ENOTTY
                syscalls: [ioctl]
              - action: errno EACCES
                syscalls: [mprotect]
                when: "prot & PROT_EXEC"
              - action: allow
                syscalls: [mprotect]
              - action: allow
                syscalls: [personality]
                when: "personality in {0, 8, 0x20000, 0xffffffff}"
              - action: allow
                syscalls: [fcntl]
                when: "cmd < 1024 && fd > 2"
              - action: trace 5
                syscalls: [fcntl]
                when: "cmd == 1024"
              - action: allow
                syscalls: [clone]
                when: "(clone_flags & CLONE_NEWUSER) == 0"
              - action: errno EPERM
                syscalls: [clone]
              - action: log
                syscalls: [prctl]
                when: "option != PR_SET_DUMPABLE && option < 64"
              - action: kill_thread
                syscalls: [kill]
                when: "sig == SIGKILL && pid == 1"
              - action: allow
                syscalls: [kill]
                when: "!(sig == SIGKILL)"
            """;

    static final String DENYLIST = """
            version: 1
            name: denylist
            arch: [x86_64]
            default: allow
            unknown: allow
            bad_arch: kill_thread
            rules:
              - action: kill
                syscalls: [ptrace, kexec_load, init_module]
              - action: errno EPERM
                syscalls: [personality]
                when: "personality != 0 && personality != 8"
              - action: errno EACCES
                syscalls: [socket]
                when: "family == AF_NETLINK"
              - action: trap
                syscalls: [mount]
              - action: log
                syscalls: [setuid]
                when: "uid == 0"
              - action: notify
                syscalls: [unshare]
              - action: errno ENOSYS
                syscalls: [clone3]
              - action: allow
                syscalls: [lseek]
                when: "offset < 0x100000000"
              - action: errno EINVAL
                syscalls: [lseek]
                when: "whence > 4"
            """;

    static final String TWO_HOSTS = """
            version: 1
            name: two-hosts
            arch: [x86_64, aarch64]
            default: errno EPERM
            unknown: errno ENOSYS
            bad_arch: kill_thread
            rules:
              - action: allow
                syscalls: [read, write, exit_group, arch_prctl]
              - action: allow
                syscalls: [clone]
                when: "tls == 0"
              - action: allow
                syscalls: [socket]
                when: "family == AF_INET"
            """;

    @Test
    void allowlistOnX86_64AndI386() {
        roundTrip(ALLOWLIST);
    }

    @Test
    void allowlistOnAarch64() {
        roundTrip(ALLOWLIST.replace("arch: [x86_64, i386]", "arch: [aarch64]"));
    }

    @Test
    void allowlistOnI386Alone() {
        roundTrip(ALLOWLIST.replace("arch: [x86_64, i386]", "arch: [i386]"));
    }

    @Test
    void denylistOnX86_64() {
        roundTrip(DENYLIST);
    }

    @Test
    void twoHostsWithArgumentsInDifferentPlaces() {
        ExportResult e = roundTrip(TWO_HOSTS);
        assertTrue(e.json().contains("\"includes\": {\n        \"arches\": [\n          \"arm64\""), e.json());
        assertTrue(
                e.warnings().stream().anyMatch(w -> w.startsWith("clone: rules differ between amd64 and arm64")),
                e.warnings().toString());
    }

    @Test
    void importedMiniRoundTripsOnX86_64() {
        ImportResult r = OciImporter.importString(
                "mini.json",
                CallCorpus.resource("/oci/mini.json"),
                new ImportOptions(null, List.of(Arch.X86_64), "6.18"));
        roundTrip(r.yaml());
    }

    /** The twin of {@link #importedMobyRoundTrips} on the hand-made profile of the same shape. */
    @Test
    void importedDockerShapedRoundTrips() {
        ImportResult r = OciImporter.importString(
                "docker-shaped.json",
                OciImportEquivalenceTest.dockerShaped(),
                new ImportOptions(null, List.of(Arch.X86_64, Arch.I386), "6.18"));
        roundTrip(r.yaml());
    }

    @Test
    void importedMobyRoundTrips() throws IOException {
        String moby = Files.readString(OciImportEquivalenceTest.mobyOrSkip());
        ImportResult r = OciImporter.importString(
                "moby-default.json", moby, new ImportOptions(null, List.of(Arch.X86_64, Arch.I386), "6.18"));
        roundTrip(r.yaml());
    }

    @Test
    void exportIsDeterministic() {
        Policy p = CallCorpus.load("allowlist.yaml", ALLOWLIST);
        assertEquals(OciExporter.export(p, ExportOptions.defaults()), OciExporter.export(p, ExportOptions.defaults()));
    }

    /** Exports, checks the JSON's meaning and the re-imported policy per Docker host; returns the export. */
    static ExportResult roundTrip(String yaml) {
        Policy p = CallCorpus.load("policy.yaml", yaml);
        ExportResult e = OciExporter.exportWithWarnings(p, ExportOptions.defaults());
        List<Arch> arches = p.arches().stream().map(ArchPolicy::arch).toList();
        for (List<Arch> group : hostGroups(arches)) {
            OciSemantics oci =
                    new OciSemantics(e.json(), group.get(0), group, ImportOptions.DOCKER_DEFAULT_CAPS, "6.18", true);
            ImportResult back =
                    OciImporter.importString("exported.json", e.json(), new ImportOptions(null, group, "6.18"));
            Policy q = CallCorpus.load("reimported.yaml", back.yaml());
            for (Arch arch : group) {
                Action unknown = p.forArch(arch).orElseThrow().unknownAction();
                CallCorpus.assertSame(
                        "exported JSON",
                        arch,
                        d -> CallCorpus.unknownDiffers(arch, d.nr(), oci.stubbed(arch, d.nr()))
                                ? unknown
                                : oci.decide(d),
                        d -> decide(p, d),
                        e.json());
                CallCorpus.assertSame("re-imported policy", arch, d -> decide(p, d), d -> decide(q, d), back.yaml());
            }
        }
        return e;
    }

    /** The architectures Docker puts in one filter: x86_64 with i386, aarch64 alone. */
    static List<List<Arch>> hostGroups(List<Arch> arches) {
        if (arches.contains(Arch.X86_64)) {
            List<Arch> x86 = arches.contains(Arch.I386) ? List.of(Arch.X86_64, Arch.I386) : List.of(Arch.X86_64);
            return arches.contains(Arch.AARCH64) ? List.of(x86, List.of(Arch.AARCH64)) : List.of(x86);
        }
        return arches.stream().map(List::of).toList();
    }

    private static Action decide(Policy p, SeccompData d) {
        return ReferenceEvaluator.decide(p, d).action();
    }
}
