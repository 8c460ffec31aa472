package dev.syscage.policy.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.Interpreter;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Policy;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The shape of containers/common's profile (Podman) around socket, fixture {@code oci/podman-socket.json}:
 * with Podman's default capabilities (no CAP_AUDIT_WRITE) a deny of AF_VSOCK, the NETLINK_AUDIT
 * EINVAL rule and two allows on other conditions all apply to socket, and some calls match
 * entries with different actions. libseccomp decides those by its rule tree; the import used to
 * refuse ("can both match socket") and now writes that tree's order.
 */
class OciPodmanProfileTest {
    /** containers.conf's default_capabilities. */
    static final Set<String> PODMAN_CAPS = Set.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
            "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT");

    private static final int SOCKET = SyscallTable.of(Arch.X86_64).byName("socket").orElseThrow().nr();

    @Test
    void importsWhatLibseccompBuildsWithPodmansCapabilities() {
        ImportResult r = importFixture(PODMAN_CAPS);
        assertTrue(r.warnings().contains("syscalls[2] (errno EPERM) and syscalls[4] (allow) can both match socket on x86_64:"
                + " imported as libseccomp orders its rule tree (4 rules in the filter's order)"), r.warnings().toString());
        assertTrue(r.yaml().contains("""
                  - comment: "socket as libseccomp's rule tree decides it (syscalls[2], syscalls[3], syscalls[4], syscalls[5]), rule 1 of 4"
                    action: allow
                    syscalls: [socket]
                    when: "protocol != 9"
                """), r.yaml());
        Policy p = CallCorpus.load("podman.yaml", r.yaml());
        // libseccomp tests the protocol (argument 2) before the family: AF_VSOCK is denied only with protocol 9
        assertEquals(Action.ALLOW, decide(p, 40, 1, 0));
        assertEquals(Action.errno(1), decide(p, 40, 1, 9));
        assertEquals(Action.errno(22), decide(p, 16, 3, 9));
        assertEquals(Action.ALLOW, decide(p, 16, 3, 0));
        assertEquals(Action.ALLOW, decide(p, 2, 1, 9));
    }

    @Test
    void decidesEverySocketCallAsLibseccomp() {
        Policy p = CallCorpus.load("podman.yaml", importFixture(PODMAN_CAPS).yaml());
        String ref = "default errno 38\narch x86_64\n"
                + "rule socket errno 1 1 0 eq 40 0\n"
                + "rule socket errno 22 2 0 eq 16 0 2 eq 9 0\n"
                + "rule socket allow 0 1 2 ne 9 0\n"
                + "rule socket allow 0 1 0 ne 16 0\n";
        LibseccompRef.Built built = LibseccompRef.build(ref);
        assertEquals(List.of("ok", "ok", "ok", "ok"), built.answers());
        assertEquals(List.of(), AccumulatorFlow.ambiguousJumps(built.program()));
        long[] values = {0, 1, 2, 3, 9, 10, 16, 17, 39, 40, 41, 0xffffffffL};
        int n = 0;
        for (long family : values) {
            for (long type : values) {
                for (long protocol : values) {
                    SeccompData d = SeccompData.of(SOCKET, Arch.X86_64.auditArch(), family, type, protocol);
                    assertEquals(Interpreter.run(built.program(), d).action(), ReferenceEvaluator.decide(p, d).action(),
                            "socket(" + family + ", " + type + ", " + protocol + ")");
                    n++;
                }
            }
        }
        assertEquals(values.length * values.length * values.length, n);
    }

    /** Docker's and Podman's x86_64 filter covers i386 too: libseccomp's tree for socket is the same there. */
    @Test
    void importsForX86_64AndI386Together() {
        ImportResult r = OciImporter.importString("podman-socket.json", CallCorpus.resource("/oci/podman-socket.json"),
                new ImportOptions(PODMAN_CAPS, List.of(Arch.X86_64, Arch.I386), "6.18", false));
        Policy p = CallCorpus.load("podman.yaml", r.yaml());
        int socket32 = SyscallTable.of(Arch.I386).byName("socket").orElseThrow().nr();
        assertEquals(Action.ALLOW, ReferenceEvaluator.decide(p, SeccompData.of(socket32, Arch.I386.auditArch(), 40, 1, 0)).action());
        assertEquals(Action.errno(22), ReferenceEvaluator.decide(p, SeccompData.of(socket32, Arch.I386.auditArch(), 16, 3, 9))
                .action());
        assertEquals(Action.errno(1), decide(p, 40, 1, 9));
    }

    @Test
    void withCapAuditWriteTheUnconditionalAllowWins() {
        Set<String> caps = new java.util.TreeSet<>(PODMAN_CAPS);
        caps.add("CAP_AUDIT_WRITE");
        Policy p = CallCorpus.load("podman.yaml", importFixture(caps).yaml());
        assertEquals(Action.ALLOW, decide(p, 40, 1, 9), "libseccomp keeps the first unconditional rule of socket");
    }

    private static ImportResult importFixture(Set<String> caps) {
        return OciImporter.importString("podman-socket.json", CallCorpus.resource("/oci/podman-socket.json"),
                new ImportOptions(caps, List.of(Arch.X86_64), "6.18", false));
    }

    private static Action decide(Policy p, long family, long type, long protocol) {
        return ReferenceEvaluator.decide(p, SeccompData.of(SOCKET, Arch.X86_64.auditArch(), family, type, protocol)).action();
    }
}
