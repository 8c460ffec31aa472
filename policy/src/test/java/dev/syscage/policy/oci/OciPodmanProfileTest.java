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
 * A profile of the shape of Podman's (containers/common {@code pkg/seccomp/seccomp.json}), written
 * for this project (test resource {@code oci/podman-shaped.json}, see {@code oci/README.md}),
 * imported and compared with libseccomp built the runc way ({@link RuncRules},
 * {@link LibseccompRef}) for every syscall of the filter's architectures. Like Podman's, it has
 * an ENOSYS default given by number and name, errno names beside and instead of numbers,
 * capability include/exclude pairs, per-architecture entries, personality values, and Podman's
 * socket entries: with Podman's default capabilities (no CAP_AUDIT_WRITE) five apply, EPERM for
 * AF_VSOCK (40) and AF_ALG (38), EINVAL for NETLINK_AUDIT, and allows for AF_NETLINK with another
 * protocol and for every family but AF_NETLINK. A call can match a deny and an allow
 * (socket(AF_VSOCK, ...) matches "family != 16"), so libseccomp's rule tree decides, and the
 * import writes that tree's order ({@code LibseccompTree}). The one difference the comparison
 * allows is the named one: arguments are zero-extended from the kernel's widths.
 */
class OciPodmanProfileTest {
    /** containers.conf's default_capabilities. */
    static final Set<String> PODMAN_CAPS = Set.of(
            "CAP_CHOWN",
            "CAP_DAC_OVERRIDE",
            "CAP_FOWNER",
            "CAP_FSETID",
            "CAP_KILL",
            "CAP_NET_BIND_SERVICE",
            "CAP_SETFCAP",
            "CAP_SETGID",
            "CAP_SETPCAP",
            "CAP_SETUID",
            "CAP_SYS_CHROOT");

    private static final String PROFILE = "/oci/podman-shaped.json";
    private static final int SOCKET =
            SyscallTable.of(Arch.X86_64).byName("socket").orElseThrow().nr();
    private static final long[] VALUES = {
        0, 1, 2, 3, 8, 9, 10, 16, 17, 38, 39, 40, 41, 0x20000, 0x20008, 0x7fffffffL, 0xffffffffL, 0x100000000L, -1L
    };

    @Test
    void importsThePodmanShapedProfileWithPodmansCapabilities() {
        ImportResult r = importProfile(PODMAN_CAPS, List.of(Arch.X86_64));
        assertTrue(
                r.warnings().stream().noneMatch(w -> w.contains("unknown key")),
                "errno names are read: " + r.warnings());
        assertTrue(
                r.warnings()
                        .contains(
                                "syscalls[21] (errno EPERM) and syscalls[25] (allow) can both match socket on"
                                        + " x86_64: imported as libseccomp orders its rule tree (5 rules in the filter's order)"),
                r.warnings().toString());
        Policy p = CallCorpus.load("podman.yaml", r.yaml());
        assertEquals(Action.errno(1), socket(p, 40, 1, 0), "AF_VSOCK");
        assertEquals(Action.errno(1), socket(p, 38, 5, 0), "AF_ALG");
        assertEquals(Action.errno(22), socket(p, 16, 3, 9), "NETLINK_AUDIT, by errno name only");
        assertEquals(Action.ALLOW, socket(p, 16, 3, 0), "another netlink protocol");
        assertEquals(Action.ALLOW, socket(p, 2, 1, 9), "AF_INET");
        assertEquals(Action.ALLOW, call(p, "setns"), "in the allow list before the EPERM without CAP_SYS_ADMIN");
        assertEquals(Action.ALLOW, call(p, "chroot"), "CAP_SYS_CHROOT is held");
        assertEquals(Action.errno(1), call(p, "init_module"), "CAP_SYS_MODULE is not held");
        assertEquals(Action.errno(38), call(p, "reboot"), "the default, by number and name");
    }

    /** Every syscall number of the x86_64 filter (and some beyond), arguments around the profile's values. */
    @Test
    void decidesEveryCallAsLibseccompWithPodmansCapabilities() {
        int n = compare(PODMAN_CAPS, List.of(Arch.X86_64));
        System.out.println("OciPodmanProfileTest: " + n + " calls compared");
        assertTrue(n > 10_000, n + " calls compared");
    }

    /** The x86_64 filter covers i386 too: one import for both, decided as libseccomp decides both. */
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
        compare(
                Set.of("CAP_SYS_ADMIN", "CAP_BPF", "CAP_PERFMON", "CAP_SYS_PTRACE", "CAP_DAC_READ_SEARCH"),
                List.of(Arch.X86_64));
    }

    /**
     * The comparison can fail: a policy imported with CAP_AUDIT_WRITE against libseccomp without it
     * differs exactly where the capability matters: NETLINK_AUDIT (EINVAL without, allowed with)
     * and AF_ALG (with it, libseccomp's tree lets "family != 40" allow what "family == 38" denies).
     */
    @Test
    void comparisonFindsTheCallsAnotherCapabilitySetDecidesOtherwise() {
        Set<String> withAudit = new TreeSet<>(PODMAN_CAPS);
        withAudit.add("CAP_AUDIT_WRITE");
        List<Arch> x86 = List.of(Arch.X86_64);
        Policy other =
                CallCorpus.load("podman.yaml", importProfile(withAudit, x86).yaml());
        List<SeccompData> diff = differences(libseccomp(PODMAN_CAPS, x86), other, calls(x86));
        assertEquals(5 + 5 * 6, diff.size(), "socket(16, 5 types, 9) and socket(38, 5 types, 6 protocols): " + diff);
        assertTrue(
                diff.stream().allMatch(d -> d.nr() == SOCKET && (d.arg(0) == 16 && d.arg(2) == 9 || d.arg(0) == 38)),
                diff.toString());
        assertEquals(Action.ALLOW, socket(other, 38, 5, 0), "AF_ALG with CAP_AUDIT_WRITE");
    }

    /** Imports and builds the profile for {@code caps}, compares every call; returns how many were compared. */
    private static int compare(Set<String> caps, List<Arch> arches) {
        Policy p = CallCorpus.load("podman.yaml", importProfile(caps, arches).yaml());
        Program libseccomp = libseccomp(caps, arches);
        List<SeccompData> calls = calls(arches);
        List<String> diff = differences(libseccomp, p, calls).stream()
                .limit(20)
                .map(d -> d + ": libseccomp " + Interpreter.run(libseccomp, d).action() + ", syscage "
                        + ReferenceEvaluator.decide(p, d).action())
                .toList();
        assertEquals(List.of(), diff, caps + ": decided otherwise than libseccomp (first 20)");
        return calls.size();
    }

    /** libseccomp's program for the profile as runc loads it for {@code caps}. */
    private static Program libseccomp(Set<String> caps, List<Arch> arches) {
        List<String> refArches =
                arches.stream().map(LibseccompTreeTest::refName).toList();
        String ref = RuncRules.of(CallCorpus.resource(PROFILE), "amd64", caps, "6.18", refArches);
        LibseccompRef.Built built = LibseccompRef.build(ref);
        assertTrue(
                !built.hung() && built.answers().stream().allMatch(a -> a.equals("ok") || a.equals("unknown")),
                built.answers() + "\n" + ref);
        assertEquals(List.of(), AccumulatorFlow.ambiguousJumps(built.program()), "libseccomp's program is consistent");
        return built.program();
    }

    /** The calls {@code p} decides otherwise than {@code libseccomp}. */
    private static List<SeccompData> differences(Program libseccomp, Policy p, List<SeccompData> calls) {
        return calls.stream()
                .filter(d -> !Interpreter.run(libseccomp, d)
                        .action()
                        .equals(ReferenceEvaluator.decide(p, d).action()))
                .toList();
    }

    /** Every syscall number of the tables (and some beyond), with {@link #argSets}; the same list each time. */
    private static List<SeccompData> calls(List<Arch> arches) {
        Random rnd = new Random(15);
        List<SeccompData> out = new ArrayList<>();
        for (Arch a : arches) {
            for (Syscall s : SyscallTable.of(a).all()) {
                for (long[] args : argSets(s, a, rnd)) {
                    out.add(SeccompData.of(s.nr(), a.auditArch(), args));
                }
            }
            int top = SyscallTable.of(a).all().stream()
                    .mapToInt(Syscall::nr)
                    .max()
                    .orElseThrow();
            for (int nr : new int[] {top + 1, top + 50, 1000, 0x40000000, 0x40000001}) {
                out.add(SeccompData.of(nr, a.auditArch(), new long[6]));
            }
        }
        return out;
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
        return OciImporter.importString(
                "podman-shaped.json", CallCorpus.resource(PROFILE), new ImportOptions(caps, arches, "6.18", false));
    }

    private static Action call(Policy p, String name) {
        int nr = SyscallTable.of(Arch.X86_64).byName(name).orElseThrow().nr();
        return ReferenceEvaluator.decide(p, SeccompData.of(nr, Arch.X86_64.auditArch()))
                .action();
    }

    private static Action socket(Policy p, long family, long type, long protocol) {
        return ReferenceEvaluator.decide(p, SeccompData.of(SOCKET, Arch.X86_64.auditArch(), family, type, protocol))
                .action();
    }
}
