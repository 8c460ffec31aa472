package dev.syscage.policy.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Constants;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.Interpreter;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.NetAccess;
import dev.syscage.policy.landlock.Scope;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
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
 * The file-system section carried by the filter and the supervisor where the kernel has no
 * Landlock: which calls are denied, routed or left alone (the reference evaluator and the
 * compiled program must agree on each), what the supervise rules decide by path, and that the
 * policy's own denials and supervise rules keep their place.
 */
class SupervisorFallbackTest {
    private static final Arch X = Arch.X86_64;
    private static final SyscallTable TABLE = SyscallTable.of(X);
    private static final Constants K = Constants.of(X);
    private static final LoadOptions OPTIONS = new LoadOptions(List.of(Path.of("../profiles")), List.of(X));
    private static final long AT_FDCWD = -100;
    private static final Action TRACE = Action.trace(0);
    private static final Action EACCES = Action.errno(13);

    /** A policy and its fallback, with the fallback's program compiled once. */
    private record Fallback(Policy before, SupervisorFallback.Result result, Program program) {
        static Fallback of(Policy p, UnaryOperator<String> realPath) {
            SupervisorFallback.Result r = SupervisorFallback.apply(p, realPath);
            return new Fallback(
                    p,
                    r,
                    PolicyCompiler.compile(r.policy(), CompileOptions.defaults())
                            .program());
        }

        Policy after() {
            return result.policy();
        }

        /** The filter's action, from the model and from the compiled program (which must agree). */
        Action filter(String name, long... args) {
            SeccompData d = SeccompData.of(nr(name), X.auditArch(), Arrays.copyOf(args, 6));
            Action model = ReferenceEvaluator.decide(after(), d).action();
            assertEquals(
                    model, Action.fromSeccompRet(Interpreter.eval(program, d)), name + " " + Arrays.toString(args));
            return model;
        }

        /** The supervisor's decision for a call naming {@code paths} (a rename's two). */
        String supervise(String name, long[] args, String... paths) {
            List<Optional<String>> others =
                    Arrays.stream(paths).skip(1).map(Optional::of).toList();
            return after().supervision()
                    .decide(X, nr(name), Arrays.copyOf(args, 6), Optional.of(paths[0]), others)
                    .decision()
                    .toString();
        }
    }

    private static int nr(String name) {
        return TABLE.byName(name).orElseThrow().nr();
    }

    private static long k(String name) {
        return K.value(name).orElseThrow();
    }

    private static Fallback profile(String name) {
        return Fallback.of(PolicyLoader.load(Path.of("../profiles/" + name + ".yaml"), OPTIONS), p -> p);
    }

    private static Fallback policy(String yaml, UnaryOperator<String> realPath) {
        return Fallback.of(PolicyLoader.loadString("p.yaml", yaml, OPTIONS), realPath);
    }

    /** openat(AT_FDCWD, path, flags): the arguments, with the path pointer a harmless 0. */
    private static long[] openat(long flags) {
        return new long[] {AT_FDCWD, 0, flags, 0};
    }

    @Test
    void readOnlyRoutesTheWriteSideAndLeavesReadingAlone() {
        Fallback f = profile("read-only");
        long wronly = k("O_WRONLY");
        assertEquals(Action.ALLOW, f.filter("openat", openat(0)));
        assertEquals(Action.ALLOW, f.filter("openat", openat(k("O_DIRECTORY"))));
        assertEquals(
                Action.ALLOW, f.filter("openat", openat(k("O_PATH") | wronly | k("O_CREAT"))), "O_PATH ignores them");
        assertEquals(TRACE, f.filter("openat", openat(wronly)));
        assertEquals(TRACE, f.filter("openat", openat(k("O_RDWR") | k("O_CLOEXEC"))));
        assertEquals(TRACE, f.filter("openat", openat(k("O_CREAT"))));
        assertEquals(TRACE, f.filter("openat", openat(k("O_TRUNC"))));
        assertEquals(TRACE, f.filter("open", 0, wronly));
        assertEquals(Action.ALLOW, f.filter("open", 0, 0));
        assertEquals(TRACE, f.filter("creat"));
        assertEquals(Action.errno(38), f.filter("openat2"), "its flags are in memory: ENOSYS, libc falls back");
        assertEquals(Action.ALLOW, f.filter("execve"), "read and execute are granted everywhere");
        for (String call : List.of(
                "mkdir",
                "mkdirat",
                "unlink",
                "unlinkat",
                "rmdir",
                "rename",
                "renameat2",
                "link",
                "symlink",
                "truncate")) {
            assertEquals(TRACE, f.filter(call), call);
        }
        assertEquals(EACCES, f.filter("mknod", 0, k("S_IFBLK") | 0600, 0x700), "device nodes: granted nowhere");
        assertEquals(EACCES, f.filter("mknodat", AT_FDCWD, 0, k("S_IFCHR") | 0600, 0x103));
        assertEquals(TRACE, f.filter("mknod", 0, k("S_IFIFO") | 0600, 0));
        assertEquals(EACCES, f.filter("linkat", AT_FDCWD, 0, AT_FDCWD, 0, k("AT_SYMLINK_FOLLOW")));
        assertEquals(TRACE, f.filter("linkat", AT_FDCWD, 0, AT_FDCWD, 0, 0));
        // the profile's own rules, as they were; metadata changes are its read-only mount's
        // (isolate:, MountFallback where no mount can be made), not the filter's
        assertEquals(Action.ALLOW, f.filter("chmod"));
        assertEquals(Action.errno(30), f.filter("ioctl", 3, k("FS_IOC_SETFLAGS")));
        assertEquals(Action.errno(1), f.filter("mount"), "the default profile denies it first");
        assertEquals(Action.ALLOW, f.filter("ftruncate"));
    }

    @Test
    void readOnlyWritesBeneathTmpAndToTheDevicesOnly() {
        Fallback f = profile("read-only");
        long[] write = openat(k("O_WRONLY"));
        assertEquals("allow", f.supervise("openat", write, "/tmp/x"));
        assertEquals("allow", f.supervise("openat", write, "/tmp"));
        assertEquals("allow", f.supervise("openat", write, "/dev/null"));
        assertEquals("errno 13", f.supervise("openat", write, "/etc/passwd"));
        assertEquals("errno 13", f.supervise("openat", write, "/tmpx"));
        assertEquals("errno 13", f.supervise("openat", write, "/dev/nullx"));
        long[] shell = openat(k("O_WRONLY") | k("O_CREAT") | k("O_TRUNC"));
        assertEquals("allow", f.supervise("openat", shell, "/dev/null"), "'> /dev/null': the file exists");
        assertEquals("allow", f.supervise("openat", shell, "/tmp/new"));
        assertEquals("errno 13", f.supervise("openat", shell, "/dev/sda"));
        assertEquals("errno 13", f.supervise("openat", shell, "/root/new"));
        assertEquals("allow", f.supervise("mkdir", new long[0], "/tmp/d"));
        assertEquals("errno 13", f.supervise("mkdir", new long[0], "/tmp"), "making /tmp itself needs the right on /");
        assertEquals("errno 13", f.supervise("mkdir", new long[0], "/root/d"));
        assertEquals("allow", f.supervise("unlinkat", new long[] {AT_FDCWD, 0, k("AT_REMOVEDIR")}, "/tmp/d"));
        assertEquals("errno 13", f.supervise("unlink", new long[0], "/dev/null"));
        assertEquals("allow", f.supervise("truncate", new long[0], "/tmp/f"));
        assertEquals("errno 13", f.supervise("truncate", new long[0], "/etc/f"));
        assertEquals("allow", f.supervise("rename", new long[0], "/tmp/a", "/tmp/b"));
        assertEquals("errno 13", f.supervise("rename", new long[0], "/tmp/a", "/etc/b"), "checked at both ends");
        assertEquals("errno 13", f.supervise("rename", new long[0], "/etc/a", "/tmp/b"));
        assertEquals(
                List.of(
                        "fs.make_sock by bind() of a UNIX socket",
                        "scope.abstract_unix_socket",
                        "scope.signal",
                        "the domain's own guard (no ptrace or /proc/PID/mem of processes outside it)"),
                f.result().notCarried());
        LandlockRuleset rest = f.after().landlock();
        assertEquals(0, rest.handledFs());
        assertEquals(List.of(), rest.paths());
        assertEquals(Scope.ALL, rest.scoped());
    }

    /** Every combination of open's flags that matter, with garbage around them: program and model agree. */
    @Test
    void readOnlyOpensAreRoutedExactlyWhenTheyMayWrite() {
        Fallback f = profile("read-only");
        long[] bits = {
            k("O_PATH"),
            k("O_CREAT"),
            k("O_WRONLY"),
            k("O_RDWR"),
            k("O_TRUNC"),
            k("O_DIRECTORY"),
            k("O_CLOEXEC"),
            k("O_NONBLOCK")
        };
        for (int a = 0; a < 1 << bits.length; a++) {
            long flags = 0xdead_beef_0000_0000L; // upper half: not the kernel's int
            for (int i = 0; i < bits.length; i++) {
                flags |= (a & (1 << i)) != 0 ? bits[i] : 0;
            }
            boolean path = (flags & k("O_PATH")) != 0;
            boolean reads = (flags & (k("O_ACCMODE") | k("O_CREAT") | k("O_TRUNC"))) == 0;
            Action expected = path || reads ? Action.ALLOW : TRACE;
            assertEquals(expected, f.filter("openat", openat(flags)), Long.toHexString(flags));
            assertEquals(expected, f.filter("open", 0, flags), Long.toHexString(flags));
        }
    }

    @Test
    void theDefaultProfileDeniesDeviceNodesInTheFilterAlone() {
        Fallback f = profile("default");
        for (String type : List.of("S_IFCHR", "S_IFBLK")) {
            assertEquals(EACCES, f.filter("mknod", 0, k(type) | 0600, 0x700), type);
            assertEquals(EACCES, f.filter("mknodat", AT_FDCWD, 0, k(type) | 0600, 0x700), type);
        }
        for (long mode : new long[] {k("S_IFIFO") | 0600, k("S_IFREG") | 0600, 0600, k("S_IFSOCK")}) {
            assertEquals(Action.ALLOW, f.filter("mknod", 0, mode, 0), Long.toOctalString(mode));
        }
        assertEquals(Action.ALLOW, f.filter("mknod", 0, 0xffff_0000L | k("S_IFIFO"), 0), "mode is 16 bits wide");
        assertEquals(Action.ALLOW, f.filter("openat", openat(k("O_WRONLY") | k("O_CREAT"))));
        assertSame(f.before().supervision(), f.after().supervision(), "nothing for a supervisor");
        for (ArchPolicy ap : f.after().arches()) {
            assertFalse(
                    ap.clauses().values().stream()
                            .flatMap(List::stream)
                            .anyMatch(c -> c.action().kind() == Action.Kind.TRACE),
                    "no call is routed");
        }
        assertEquals(
                List.of(
                        "scope.abstract_unix_socket",
                        "scope.signal",
                        "the domain's own guard (no ptrace or /proc/PID/mem of processes outside it)"),
                f.result().notCarried());
        assertEquals(
                List.of(
                        "filesystem without Landlock: enforced by the filter and the supervisor's path rules",
                        "  filter: errno EACCES for some calls of mknod, mknodat"),
                f.result().summary());
    }

    private static final String OWN_DENIALS = """
            version: 1
            default: errno EPERM
            landlock: best-effort
            rules:
              - action: errno EPERM
                syscalls: [unlink, unlinkat]
              - action: errno EROFS
                syscalls: [openat]
                when: "flags & O_TRUNC"
              - action: allow
                syscalls: [openat, unlink, unlinkat, mkdir, execve, exit_group]
            filesystem:
              allow:
                - paths: [/]
                  access: [read, execute]
                - paths: [/tmp]
                  access: [read, write, create, remove]
            """;

    /** A call the policy denies stays denied, before the section: it can only take away. */
    @Test
    void aPolicysOwnDenialsComeFirst() {
        Fallback f = policy(OWN_DENIALS, p -> p);
        assertEquals(Action.errno(1), f.filter("unlink"), "denied outright: not sent to the supervisor");
        assertEquals(Action.errno(1), f.filter("unlinkat", AT_FDCWD, 0, 0));
        assertEquals(Action.errno(30), f.filter("openat", openat(k("O_WRONLY") | k("O_TRUNC"))));
        assertEquals(TRACE, f.filter("openat", openat(k("O_WRONLY"))));
        assertEquals(TRACE, f.filter("mkdir"));
        assertEquals(Action.ALLOW, f.filter("openat", openat(0)));
        assertEquals(Action.errno(1), f.filter("rename"), "the policy's default denies it: the section adds nothing");
        assertEquals(Action.errno(1), f.filter("creat"));
        assertEquals("allow", f.supervise("mkdir", new long[0], "/tmp/d"));
        assertEquals("errno 13", f.supervise("mkdir", new long[0], "/etc/d"));
        // no supervise section of its own: only denials are recorded
        assertEquals(Supervision.LogLevel.DENIED, f.after().supervision().log());
        assertEquals(Supervision.NONE.defaultDecision(), f.after().supervision().defaultDecision());
    }

    private static final String OWN_SUPERVISION = """
            version: 1
            default: allow
            landlock: best-effort
            rules:
              - action: trace
                syscalls: [openat]
                when: "(flags & O_ACCMODE) != O_RDONLY"
            supervise:
              rules:
                - syscalls: [openat]
                  path: ["/srv/secret/**"]
                  decision: errno EPERM
                - syscalls: [openat]
                  path: ["/**/*.log"]
                  decision: allow
              default: errno EROFS
            filesystem:
              allow:
                - paths: [/]
                  access: [read, execute]
                - paths: [/srv, /var/log]
                  access: [read, write, create]
            """;

    /**
     * A call the policy sends to the supervisor itself must pass the section and then its own
     * supervise rules: the section's EACCES comes first, and where the section allows, its own
     * rules and default decide as before.
     */
    @Test
    void aCallThePolicySupervisesPassesTheSectionAndThenItsOwnRules() {
        Fallback f = policy(OWN_SUPERVISION, p -> p);
        long[] write = openat(k("O_WRONLY"));
        assertEquals(TRACE, f.filter("openat", write));
        assertEquals(Action.ALLOW, f.filter("openat", openat(0)));
        assertEquals("errno 1", f.supervise("openat", write, "/srv/secret/a.log"), "its own rule, inside the section");
        assertEquals("allow", f.supervise("openat", write, "/srv/a.log"));
        assertEquals("allow", f.supervise("openat", write, "/var/log/x/a.log"));
        assertEquals("errno 30", f.supervise("openat", write, "/srv/a.txt"), "its own default, inside the section");
        assertEquals(
                "errno 13", f.supervise("openat", write, "/etc/a.log"), "the section first: its own rule would allow");
        // creat: routed by the policy for every argument (family of openat), checked by the section too
        assertEquals(TRACE, f.filter("creat"));
        assertEquals("allow", f.supervise("creat", new long[0], "/srv/new.log"));
        assertEquals("errno 30", f.supervise("creat", new long[0], "/srv/new.txt"));
        assertEquals("errno 13", f.supervise("creat", new long[0], "/home/new.log"));
        assertEquals(Action.errno(38), f.filter("openat2"), "denied in the filter before its route");
        // mkdir is not the policy's business: the section alone decides, the policy's default is not asked
        assertEquals(TRACE, f.filter("mkdir"));
        assertEquals("allow", f.supervise("mkdir", new long[0], "/srv/d"));
        assertEquals("errno 13", f.supervise("mkdir", new long[0], "/etc/d"));
        assertTrue(
                f.result().summary().stream()
                        .anyMatch(l -> l.contains("errno 1 creat, open, openat at /srv/secret/**")),
                String.join("\n", f.result().summary()));
        assertTrue(
                f.result().summary().stream()
                        .anyMatch(l -> l.contains("allow creat, open, openat at /srv/**/*.log, /var/log/**/*.log")),
                String.join("\n", f.result().summary()));
    }

    /** Landlock says EXDEV where only the rename right (refer) is missing, EACCES where more is. */
    @Test
    void renamesWhereOnlyReferIsMissingFailWithExdev() {
        Fallback f = policy("""
                version: 1
                default: allow
                landlock: best-effort
                filesystem:
                  allow:
                    - paths: [/a]
                      access: [create, remove, rename]
                    - paths: [/b]
                      access: [create, remove]
                """, p -> p);
        long[] none = new long[0];
        assertEquals("allow", f.supervise("rename", none, "/a/x", "/a/y"));
        assertEquals("errno 18", f.supervise("rename", none, "/b/x", "/b/y"));
        assertEquals("errno 18", f.supervise("rename", none, "/a/x", "/b/y"));
        assertEquals("errno 13", f.supervise("rename", none, "/a/x", "/c/y"));
        assertEquals("errno 13", f.supervise("link", none, "/a/x", "/c/y"));
        assertEquals("allow", f.supervise("link", none, "/a/x", "/a/y"));
    }

    /** Landlock's rule holds for the file its path leads to: both spellings are allowed. */
    @Test
    void aRuleOnASymlinkCoversWhereItLeads() {
        Fallback f = policy("""
                version: 1
                default: allow
                landlock: best-effort
                filesystem:
                  confine: [read]
                  allow:
                    - paths: [/lib]
                      access: [read]
                """, p -> p.equals("/lib") ? "/usr/lib" : p);
        long[] read = openat(0);
        assertEquals(TRACE, f.filter("openat", read));
        assertEquals(Action.ALLOW, f.filter("openat", openat(k("O_WRONLY"))), "write_file is not confined");
        assertEquals(TRACE, f.filter("execve"), "execve reads the file: read_file");
        assertEquals("allow", f.supervise("openat", read, "/lib/x.so"));
        assertEquals("allow", f.supervise("openat", read, "/usr/lib/x.so"));
        assertEquals("errno 13", f.supervise("openat", read, "/usr/libx"));
        assertEquals(
                List.of("the domain's own guard (no ptrace or /proc/PID/mem of processes outside it)"),
                f.result().notCarried());
    }

    @Test
    void whatCannotBeCarriedOverIsNamed() {
        Fallback f = policy("""
                version: 1
                default: allow
                landlock: best-effort
                filesystem:
                  allow:
                    - paths: [/]
                      access: [read, execute]
                    - paths: [/tmp]
                      access: [write_file, create]
                network:
                  connect: [443]
                """, p -> p);
        assertEquals(
                List.of(
                        "fs.ioctl_dev (ioctl on devices)",
                        "fs.make_sock by bind() of a UNIX socket",
                        "fs.truncate by ftruncate()",
                        "net.bind_tcp",
                        "net.connect_tcp",
                        "the domain's own guard (no ptrace or /proc/PID/mem of processes outside it)"),
                f.result().notCarried());
        assertEquals(NetAccess.ALL, f.after().landlock().handledNet(), "kept for what it says; the plan drops it");
        assertEquals(Action.errno(1), f.filter("mount"), "a domain forbids mounts: EPERM");
        // what the supervisor cannot see the file of
        assertEquals(Action.errno(38), f.filter("io_uring_setup"), "a ring opens files without syscalls");
        assertEquals(Action.ALLOW, f.filter("open_by_handle_at", 3, 0, 0), "reading is granted everywhere");
        assertEquals(EACCES, f.filter("open_by_handle_at", 3, 0, k("O_WRONLY")), "writing is checked: no path");
        assertEquals(Action.ALLOW, f.filter("uselib"), "execute and read_file everywhere");
        assertEquals(Action.errno(1), f.filter("umount2"));
        assertEquals(EACCES, f.filter("rename"), "rename (refer) is granted nowhere, nor remove");
        assertEquals(Action.ALLOW, f.filter("ioctl", 0, 0), "ioctl_dev: a descriptor has no path to check");
    }

    /** Each architecture with its own numbers, parameter positions and constants (O_DIRECTORY differs on aarch64). */
    @Test
    void everyArchitectureGetsItsOwnNumbersAndConstants() {
        Policy p = PolicyLoader.load(
                Path.of("../profiles/read-only.yaml"),
                new LoadOptions(List.of(Path.of("../profiles")), List.of(X, Arch.I386, Arch.AARCH64)));
        Policy after = SupervisorFallback.apply(p, x -> x).policy();
        Program program =
                PolicyCompiler.compile(after, CompileOptions.defaults()).program();
        record Call(Arch arch, String name, long[] args, Action expected) {}
        Constants arm = Constants.of(Arch.AARCH64);
        long armDirectory = arm.value("O_DIRECTORY").orElseThrow();
        for (Call c : List.of(
                new Call(Arch.I386, "open", new long[] {0, 1}, TRACE),
                new Call(Arch.I386, "open", new long[] {0, 0}, Action.ALLOW),
                new Call(Arch.I386, "truncate64", new long[0], TRACE),
                new Call(Arch.I386, "mknod", new long[] {0, k("S_IFBLK")}, EACCES),
                new Call(Arch.AARCH64, "openat", new long[] {AT_FDCWD, 0, armDirectory}, Action.ALLOW),
                new Call(Arch.AARCH64, "openat", new long[] {AT_FDCWD, 0, 1}, TRACE),
                new Call(Arch.AARCH64, "mknodat", new long[] {AT_FDCWD, 0, k("S_IFCHR")}, EACCES),
                new Call(Arch.AARCH64, "renameat2", new long[0], TRACE))) {
            SeccompData d = SeccompData.of(
                    SyscallTable.of(c.arch()).byName(c.name()).orElseThrow().nr(),
                    c.arch().auditArch(),
                    Arrays.copyOf(c.args(), 6));
            assertEquals(c.expected(), ReferenceEvaluator.decide(after, d).action(), c.arch() + " " + c.name());
            assertEquals(c.expected(), Action.fromSeccompRet(Interpreter.eval(program, d)), c.arch() + " " + c.name());
        }
    }

    @Test
    void aRulesetWithoutFileSystemRightsIsNotTheFallbacksBusiness() {
        Policy p = PolicyLoader.loadString("p.yaml", """
                version: 1
                default: allow
                landlock: best-effort
                scope: [signal]
                """, OPTIONS);
        assertThrows(IllegalArgumentException.class, () -> SupervisorFallback.apply(p, x -> x));
    }

    /** The inserted clauses cite the section's line, so lints and check point at it. */
    @Test
    void theInsertedClausesCiteTheFilesystemSection() {
        Fallback f = policy(OWN_DENIALS, p -> p);
        List<Clause> mkdir = f.after().forArch(X).orElseThrow().clausesFor(nr("mkdir"));
        assertEquals(2, mkdir.size(), mkdir.toString());
        assertEquals("p.yaml:12", mkdir.get(0).rule().pos().fileLine());
        assertEquals(f.before().forArch(X).orElseThrow().clausesFor(nr("mkdir")).get(0), mkdir.get(1));
    }
}
