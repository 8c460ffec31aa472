package dev.syscage.policy.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.Interpreter;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.bpf.Verifier;
import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.isolate.Compat;
import dev.syscage.policy.isolate.Isolation;
import dev.syscage.policy.isolate.Namespace;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.Supervision;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Read-only paths carried by the filter and the supervisor where no mount namespace can be made:
 * which metadata calls are routed (the reference evaluator and the compiled, verified program
 * must agree on each), what the supervise rules decide by path, and that the policy's own denials
 * and supervise rules keep their place.
 */
class MountFallbackTest {
    private static final Arch X = Arch.X86_64;
    private static final SyscallTable TABLE = SyscallTable.of(X);
    private static final LoadOptions OPTIONS = new LoadOptions(List.of(Path.of("../profiles")), List.of(X));
    private static final Action TRACE = Action.trace(0);
    private static final long AT_FDCWD = -100;
    private static final long[] NONE = new long[0];

    /** A policy and its fallback, with the fallback's program compiled and verified once. */
    private record Fallback(Policy before, MountFallback.Result result, Program program) {
        static Fallback of(Policy p, UnaryOperator<String> realPath) {
            MountFallback.Result r = MountFallback.apply(p, realPath);
            Program program = PolicyCompiler.compile(r.policy(), CompileOptions.defaults())
                    .program();
            assertEquals(List.of(), Verifier.verify(program));
            return new Fallback(p, r, program);
        }

        Policy after() {
            return result.policy();
        }

        /** The filter's action, from the model and from the compiled program (which must agree). */
        Action filter(Arch arch, String name, long... args) {
            SeccompData d = SeccompData.of(
                    SyscallTable.of(arch).byName(name).orElseThrow().nr(), arch.auditArch(), Arrays.copyOf(args, 6));
            Action model = ReferenceEvaluator.decide(after(), d).action();
            assertEquals(
                    model, Action.fromSeccompRet(Interpreter.eval(program, d)), name + " " + Arrays.toString(args));
            return model;
        }

        Action filter(String name, long... args) {
            return filter(X, name, args);
        }

        /** The supervisor's decision for a call naming {@code path} (empty: a path it could not read). */
        String supervise(String name, long[] args, String path) {
            return after().supervision()
                    .decide(X, TABLE.byName(name).orElseThrow().nr(), Arrays.copyOf(args, 6), Optional.ofNullable(path))
                    .decision()
                    .toString();
        }
    }

    private static Fallback policy(String yaml) {
        return policy(yaml, p -> p);
    }

    private static Fallback policy(String yaml, UnaryOperator<String> realPath) {
        return Fallback.of(PolicyLoader.loadString("p.yaml", yaml, OPTIONS), realPath);
    }

    private static final String READ_ONLY_ROOT = """
            version: 1
            default: allow
            isolate:
              namespaces: [net]
              read-only: [/]
              writable: [/tmp, /home/me]
              compat: best-effort
            """;

    @Test
    void everyMetadataCallIsRoutedAndNothingElse() {
        Fallback f = policy(READ_ONLY_ROOT);
        for (String call : List.of(
                "chmod",
                "fchmodat",
                "fchmodat2",
                "chown",
                "lchown",
                "fchownat",
                "utime",
                "utimes",
                "futimesat",
                "setxattr",
                "lsetxattr",
                "setxattrat",
                "removexattr",
                "lremovexattr",
                "removexattrat")) {
            assertEquals(TRACE, f.filter(call, 0, 0), call);
        }
        assertEquals(TRACE, f.filter("utimensat", AT_FDCWD, 0x7ffc_0000L, 0, 0), "a path: checked");
        assertEquals(Action.ALLOW, f.filter("utimensat", 3, 0, 0, 0), "NULL path: futimens on a held fd");
        assertEquals(TRACE, f.filter("utimensat", 3, 0xffff_ffff_0000_0000L, 0, 0), "a pointer is 64 bits wide");
        for (String call : List.of("fchmod", "fchown", "fsetxattr", "fremovexattr", "openat", "write", "unlink")) {
            assertEquals(Action.ALLOW, f.filter(call, 3, 0), call + ": not the fallback's business");
        }
    }

    @Test
    void beneathAWritablePathAllowedElsewhereEROFS() {
        Fallback f = policy(READ_ONLY_ROOT);
        assertEquals("allow", f.supervise("chmod", NONE, "/tmp"));
        assertEquals("allow", f.supervise("chmod", NONE, "/tmp/x/y"));
        assertEquals("allow", f.supervise("setxattr", NONE, "/home/me/.bashrc"));
        assertEquals("errno 30", f.supervise("chmod", NONE, "/tmpx"));
        assertEquals("errno 30", f.supervise("chown", NONE, "/etc/passwd"));
        assertEquals("errno 30", f.supervise("chown", NONE, "/home/other"));
        assertEquals("errno 30", f.supervise("chown", NONE, "/"));
        assertEquals("allow", f.supervise("fchmodat", NONE, "/proc/self/fd/3"), "notify mode judges the real path");
        assertEquals("allow", f.supervise("fchmodat", NONE, "/proc/thread-self/fd/7"));
        assertEquals(
                "errno 30", f.supervise("fchmodat", NONE, "/proc/self/fd/3/etc/passwd"), "through a held directory");
        assertEquals("errno 30", f.supervise("chmod", NONE, null), "a path it could not read");
        assertEquals(Supervision.LogLevel.DENIED, f.after().supervision().log(), "no section of its own: denials only");
        assertEquals(
                List.of(
                        "read-only paths without a mount namespace: metadata changes checked by the supervisor's "
                                + "path rules",
                        "  filter: trace (the supervisor checks the path) for chmod, chown, fchmodat, fchmodat2, fchownat, "
                                + "futimesat, lchown, lremovexattr, lsetxattr, removexattr, removexattrat, setxattr, "
                                + "setxattrat, utime, utimensat, utimes",
                        "  supervise rule #1: allow chmod, chown, fchmodat, fchmodat2, fchownat, futimesat, lchown, lremovexattr, "
                                + "lsetxattr, removexattr, removexattrat, setxattr, setxattrat, utime, utimensat, utimes at "
                                + "/proc/self/fd/*, /proc/thread-self/fd/*, /home/me, /home/me/**, /tmp, /tmp/**",
                        "  supervise rule #2: errno 30 chmod, chown, fchmodat, fchmodat2, fchownat, futimesat, lchown, "
                                + "lremovexattr, lsetxattr, removexattr, removexattrat, setxattr, setxattrat, utime, utimensat, "
                                + "utimes at /, /**",
                        "  supervise rule #3: errno 30 chmod, chown, fchmodat, fchmodat2, fchownat, futimesat, lchown, "
                                + "lremovexattr, lsetxattr, removexattr, removexattrat, setxattr, setxattrat, utime, utimensat, "
                                + "utimes"),
                f.result().summary());
    }

    @Test
    void theNamespacesAndWhatMountsAloneGiveAreNamedAsNotCarried() {
        Fallback f = policy(READ_ONLY_ROOT);
        assertEquals(
                List.of(
                        "namespace net (only loopback networking)",
                        "read-only mounts for writes, creating, removing and renaming (a filesystem: section says those)",
                        "read-only mounts for metadata changes through a held descriptor (fchmod, fchown, fsetxattr, futimens)"),
                f.result().notCarried());
        Isolation left = f.after().isolation();
        assertEquals(java.util.Set.of(Namespace.NET), left.namespaces(), "kept for what they say");
        assertEquals(List.of(), left.readOnly(), "carried by the filter now");
        assertEquals(List.of(), left.writable());
    }

    @Test
    void outsideTheReadOnlyPathsNothingChangesAndTheDeepestPathDecides() {
        Fallback f = policy("""
                version: 1
                default: allow
                isolate:
                  read-only: [/srv, /srv/www/data/frozen]
                  writable: [/srv/www]
                """);
        assertEquals("allow", f.supervise("chmod", NONE, "/etc/passwd"), "not beneath a read-only path");
        assertEquals("allow", f.supervise("chmod", NONE, "/"));
        assertEquals("errno 30", f.supervise("chmod", NONE, "/srv"));
        assertEquals("errno 30", f.supervise("chmod", NONE, "/srv/other"));
        assertEquals("allow", f.supervise("chmod", NONE, "/srv/www/index.html"));
        assertEquals("errno 30", f.supervise("chmod", NONE, "/srv/www/data/frozen/x"), "read-only beneath writable");
        assertEquals("allow", f.supervise("chmod", NONE, "/srv/www/data/frozenx"));
        assertEquals("errno 30", f.supervise("chmod", NONE, null));
    }

    @Test
    void aWritablePathThatIsASymlinkCoversWhereItLeads() {
        Fallback f = policy("""
                version: 1
                default: allow
                isolate:
                  read-only: [/]
                  writable: [/var/tmp]
                """, p -> p.equals("/var/tmp") ? "/data/tmp" : p);
        assertEquals("allow", f.supervise("chown", NONE, "/var/tmp/x"));
        assertEquals("allow", f.supervise("chown", NONE, "/data/tmp/x"), "the bind is on the directory it leads to");
        assertEquals("errno 30", f.supervise("chown", NONE, "/data/x"));
    }

    private static final String OWN_RULES = """
            version: 1
            default: allow
            rules:
              - action: errno EPERM
                syscalls: [chown, lchown, fchownat]
              - action: errno EACCES
                syscalls: [chmod]
                when: "mode & 0x800"
              - action: trace
                syscalls: [setxattr]
            supervise:
              rules:
                - syscalls: [setxattr]
                  path: ["/tmp/secret/**"]
                  decision: errno EPERM
                - syscalls: [setxattr]
                  path: ["/**/*.txt", "/proc/self/fd/1*"]
                  decision: allow
              default: errno ENOTSUP
            isolate:
              read-only: [/]
              writable: [/tmp]
            """;

    /** The fallback only takes away: the policy's own denials stay in the filter, before its route. */
    @Test
    void aPolicysOwnDenialsComeFirst() {
        Fallback f = policy(OWN_RULES);
        assertEquals(Action.errno(1), f.filter("chown"), "denied outright: not sent to the supervisor");
        assertEquals(Action.errno(1), f.filter("fchownat", AT_FDCWD, 0, 0, 0, 0));
        assertEquals(Action.errno(13), f.filter("chmod", 0, 04755), "its own conditional denial first");
        assertEquals(TRACE, f.filter("chmod", 0, 0644), "then the fallback's route");
        assertEquals(TRACE, f.filter("setxattr"), "routed by the policy itself");
        assertEquals(TRACE, f.filter("removexattr"));
    }

    /**
     * A call the policy routes itself must pass the fallback and then its own supervise rules:
     * beneath a writable path its own rules and default decide, beneath a read-only one EROFS.
     */
    @Test
    void aCallThePolicySupervisesPassesTheFallbackAndThenItsOwnRules() {
        Fallback f = policy(OWN_RULES);
        assertEquals("errno 1", f.supervise("setxattr", NONE, "/tmp/secret/a.txt"), "its own rule, inside /tmp");
        assertEquals("allow", f.supervise("setxattr", NONE, "/tmp/a.txt"));
        assertEquals("errno 95", f.supervise("setxattr", NONE, "/tmp/a.bin"), "its own default, inside /tmp");
        assertEquals(
                "errno 30",
                f.supervise("setxattr", NONE, "/etc/a.txt"),
                "the fallback first: its own rule would allow");
        assertEquals("allow", f.supervise("setxattr", NONE, "/proc/self/fd/12"), "its own rule cut to /proc/self/fd/*");
        assertEquals("errno 95", f.supervise("setxattr", NONE, "/proc/self/fd/3"), "its own default there");
        assertEquals("errno 30", f.supervise("setxattr", NONE, "/proc/self/fd/1/x.txt"), "deeper than one component");
        // a call the policy does not route itself: the fallback alone decides, the policy's default is not asked
        assertEquals("allow", f.supervise("removexattr", NONE, "/tmp/a.bin"));
        assertEquals("errno 30", f.supervise("removexattr", NONE, "/etc/a.bin"));
        assertEquals("errno 30", f.supervise("chmod", new long[] {0, 0644}, "/usr/bin/x"));
    }

    @Test
    void theReadOnlyProfileWithoutItsMountsFailsMetadataChangesOutsideTmp() {
        Fallback f = Fallback.of(PolicyLoader.load(Path.of("../profiles/read-only.yaml"), OPTIONS), p -> p);
        assertEquals(TRACE, f.filter("chmod"));
        assertEquals(Action.ALLOW, f.filter("utimensat", 3, 0, 0, 0), "futimens on a held descriptor");
        assertEquals(
                Action.errno(30),
                f.filter(
                        "ioctl",
                        3,
                        dev.syscage.policy.arch.Constants.of(Arch.X86_64)
                                .value("FS_IOC_SETFLAGS")
                                .orElseThrow()),
                "the profile's own rule");
        assertEquals("allow", f.supervise("chmod", NONE, "/tmp/f"));
        assertEquals("allow", f.supervise("chmod", NONE, "/tmp"));
        assertEquals("errno 30", f.supervise("chmod", NONE, "/var/tmp/f"));
        assertEquals("errno 30", f.supervise("chmod", NONE, "/etc/f"));
        assertEquals(
                "allow", f.supervise("fchownat", NONE, "/proc/self/fd/4"), "judged by the real path in notify mode");
    }

    @Test
    void eachArchitectureGetsTheCallsItHas() {
        Policy p = PolicyLoader.load(
                        Path.of("../profiles/default.yaml"),
                        new LoadOptions(List.of(Path.of("../profiles")), List.of(X, Arch.I386, Arch.AARCH64)))
                .withIsolation(new Isolation(java.util.Set.of(), List.of("/usr"), List.of(), Compat.BEST_EFFORT));
        Fallback f = Fallback.of(p, x -> x);
        assertEquals(TRACE, f.filter(Arch.I386, "chown32"));
        assertEquals(TRACE, f.filter(Arch.I386, "utimensat_time64", 3, 1, 0, 0));
        assertEquals(Action.ALLOW, f.filter(Arch.I386, "utimensat_time64", 3, 0, 0, 0));
        assertEquals(TRACE, f.filter(Arch.AARCH64, "fchmodat"));
        assertEquals(TRACE, f.filter(Arch.AARCH64, "utimensat", AT_FDCWD, 1, 0, 0));
        assertEquals(Action.ALLOW, f.filter(Arch.AARCH64, "fchmod"));
        assertTrue(
                f.result().summary().get(1).contains("chown32"),
                f.result().summary().get(1));
    }

    @Test
    void withoutReadOnlyPathsThePolicyIsUnchangedButTheNamespacesAreNamed() {
        Policy p = PolicyLoader.loadString(
                "p.yaml", "version: 1\ndefault: allow\nisolate:\n  namespaces: [ipc, uts]\n", OPTIONS);
        MountFallback.Result r = MountFallback.apply(p, x -> x);
        assertSame(p.supervision(), r.policy().supervision());
        assertEquals(p.arches(), r.policy().arches());
        assertEquals(
                List.of(
                        "namespace ipc (System V IPC and message queues of its own)",
                        "namespace uts (a host name of its own)"),
                r.notCarried());
        assertEquals(List.of(), r.summary());
    }
}
