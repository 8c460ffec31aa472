package dev.syscage.policy.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Param;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.Interpreter;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.Policy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Podman's seccomp profile, containers/common {@code pkg/seccomp/seccomp.json} as published (test
 * resource {@code oci/containers-common-seccomp.json}; source and licence in
 * {@code oci/SOURCES.md}), imported and compared with libseccomp built the runc way
 * ({@link RuncRules}, {@link LibseccompRef}) for every syscall of the filter's architectures.
 * With Podman's default capabilities (no CAP_AUDIT_WRITE) five socket entries apply: EPERM for
 * AF_VSOCK (40) and AF_ALG (38), EINVAL for NETLINK_AUDIT, and allows for AF_NETLINK with another
 * protocol and for every family but AF_NETLINK. A call can match a deny and an allow
 * (socket(AF_VSOCK, ...) matches "family != 16"), so libseccomp's rule tree decides, and the
 * import writes that tree's order ({@code LibseccompTree}). The one difference the comparison
 * allows is the named one: arguments are zero-extended from the kernel's widths.
 */
class OciPodmanProfileTest {
    /** containers.conf's default_capabilities. */
    static final Set<String> PODMAN_CAPS = Set.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
            "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT");
    private static final String PROFILE = "/oci/containers-common-seccomp.json";
    private static final int SOCKET = SyscallTable.of(Arch.X86_64).byName("socket").orElseThrow().nr();
    private static final long[] VALUES = {0, 1, 2, 3, 8, 9, 10, 16, 17, 38, 39, 40, 41, 0x20000, 0x20008, 0x7fffffffL,
            0xffffffffL, 0x100000000L, -1L};

    @Test
    void importsTheRealProfileWithPodmansCapabilities() {
        ImportResult r = importProfile(PODMAN_CAPS, List.of(Arch.X86_64));
        assertTrue(r.warnings().stream().noneMatch(w -> w.contains("unknown key")), "errno names are read: " + r.warnings());
        assertTrue(r.warnings().contains("syscalls[31] (errno EPERM) and syscalls[35] (allow) can both match socket on"
                + " x86_64: imported as libseccomp orders its rule tree (5 rules in the filter's order)"),
                r.warnings().toString());
        Policy p = CallCorpus.load("podman.yaml", r.yaml());
        assertEquals(Action.errno(1), socket(p, 40, 1, 0), "AF_VSOCK");
        assertEquals(Action.errno(1), socket(p, 38, 5, 0), "AF_ALG");
        assertEquals(Action.errno(22), socket(p, 16, 3, 9), "NETLINK_AUDIT");
        assertEquals(Action.ALLOW, socket(p, 16, 3, 0), "another netlink protocol");
        assertEquals(Action.ALLOW, socket(p, 2, 1, 9), "AF_INET");
    }

    /** Every syscall number of the x86_64 filter (and some beyond), arguments around the profile's values. */
    @Test
    void decidesEveryCallAsLibseccompWithPodmansCapabilities() {
        int n = compare(PODMAN_CAPS, List.of(Arch.X86_64));
        System.out.println("OciPodmanProfileTest: " + n + " calls compared");
        assertTrue(n > 10_000, n + " calls compared");
    }

    /** Docker's x86_64 filter covers i386 too: one import for both, decided as libseccomp decides both. */
    @Test
    void decidesAsLibseccompForX86_64AndI386Together() {
        compare(PODMAN_CAPS, List.of(Arch.X86_64, Arch.I386));
    }

    /** With CAP_AUDIT_WRITE (Docker's default set has it) the AF_VSOCK and AF_ALG denies meet "family != 40". */
    @Test
    void decidesAsLibseccompWithOtherCapabilitySets() {
        Set<String> withAudit = new TreeSet<>(PODMAN_CAPS);
        withAudit.add("CAP_AUDIT_WRITE");
        compare(withAudit, List.of(Arch.X86_64));
        compare(ImportOptions.DOCKER_DEFAULT_CAPS, List.of(Arch.X86_64));
        compare(Set.of("CAP_SYS_ADMIN", "CAP_BPF", "CAP_PERFMON", "CAP_SYS_PTRACE", "CAP_DAC_READ_SEARCH"),
                List.of(Arch.X86_64));
    }

    /** Imports and builds the profile for {@code caps}, compares every call; returns how many were compared. */
    private static int compare(Set<String> caps, List<Arch> arches) {
        String json = CallCorpus.resource(PROFILE);
        List<String> refArches = arches.stream().map(LibseccompTreeTest::refName).toList();
        String ref = RuncRules.of(json, "amd64", caps, "6.18", refArches);
        LibseccompRef.Built built = LibseccompRef.build(ref);
        assertTrue(!built.hung() && built.answers().stream().allMatch(a -> a.equals("ok") || a.equals("unknown")),
                built.answers() + "\n" + ref);
        assertEquals(List.of(), AccumulatorFlow.ambiguousJumps(built.program()), "libseccomp's program is consistent");
        Policy p = CallCorpus.load("podman.yaml", importProfile(caps, arches).yaml());
        Random rnd = new Random(15);
        int n = 0;
        for (Arch a : arches) {
            for (Syscall s : SyscallTable.of(a).all()) {
                for (long[] args : argSets(s, a, rnd)) {
                    n += same(built.program(), p, SeccompData.of(s.nr(), a.auditArch(), args), caps + " " + s.name());
                }
            }
            int top = SyscallTable.of(a).all().stream().mapToInt(Syscall::nr).max().orElseThrow();
            for (int nr : new int[] {top + 1, top + 50, 1000, 0x40000000, 0x40000001}) {
                n += same(built.program(), p, SeccompData.of(nr, a.auditArch(), new long[6]), caps + " nr " + nr);
            }
        }
        return n;
    }

    private static int same(Program libseccomp, Policy p, SeccompData d, String what) {
        assertEquals(Interpreter.run(libseccomp, d).action(), ReferenceEvaluator.decide(p, d).action(), what + " " + d);
        return 1;
    }

    /** socket: every family 0..45 with types and protocols around the profile's; others: values in each argument. */
    private static List<long[]> argSets(Syscall s, Arch a, Random rnd) {
        List<long[]> out = new ArrayList<>();
        if (s.name().equals("socket")) {
            for (long family = 0; family <= 45; family++) {
                for (long type : new long[] {1, 2, 3, 5, 0x80001}) {
                    for (long protocol : new long[] {0, 1, 6, 9, 17, 0xffffffffL}) {
                        out.add(widths(s, a, new long[] {family, type, protocol, 0, 0, 0}));
                    }
                }
            }
            return out;
        }
        out.add(new long[6]);
        for (long v : VALUES) {
            out.add(widths(s, a, new long[] {v, 0, 0, 0, 0, 0}));
        }
        for (int k = 0; k < 4; k++) {
            long[] args = new long[6];
            for (int i = 0; i < 6; i++) {
                args[i] = VALUES[rnd.nextInt(VALUES.length)];
            }
            out.add(widths(s, a, args));
        }
        return out;
    }

    /** Zero-extended from the kernel's width of each argument: the named difference (syscage compares those bits). */
    private static long[] widths(Syscall s, Arch a, long[] args) {
        long[] out = Arrays.copyOf(args, 6);
        for (int i = 0; i < 6; i++) {
            int w = s.param("arg" + i).map(Param::width).orElse(64);
            out[i] &= Cond.Test.widthMask(Math.min(w, a.registerBits()));
        }
        return out;
    }

    private static ImportResult importProfile(Set<String> caps, List<Arch> arches) {
        return OciImporter.importString("containers-common-seccomp.json", CallCorpus.resource(PROFILE),
                new ImportOptions(caps, arches, "6.18", false));
    }

    private static Action socket(Policy p, long family, long type, long protocol) {
        return ReferenceEvaluator.decide(p, SeccompData.of(SOCKET, Arch.X86_64.auditArch(), family, type, protocol)).action();
    }
}
