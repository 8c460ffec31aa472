package dev.syscage.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Constants;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.Interpreter;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.fallback.MountFallback;
import dev.syscage.policy.isolate.Compat;
import dev.syscage.policy.isolate.Isolation;
import dev.syscage.policy.landlock.FsAccess;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.NetAccess;
import dev.syscage.policy.landlock.Scope;
import dev.syscage.policy.lint.PolicyLint;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.LoadResult;
import dev.syscage.policy.validate.PolicyLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every shipped profile loads without warnings or lint findings and compiles for every arch; the default
 * profile's key decisions hold in the compiled program. (Real programs run under each profile in
 * the enforcer module's ShippedProfilesRunTest.)
 */
class ShippedProfilesTest {
    private static final Path DIR = Path.of(".");

    private static List<Path> profiles() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @Test
    void everyProfileCompilesForEveryArchWithoutWarnings() throws IOException {
        List<Path> all = profiles();
        assertFalse(all.isEmpty(), "no profiles in " + DIR.toAbsolutePath());
        for (Path p : all) {
            LoadResult r = PolicyLoader.loadWithWarnings(p, LoadOptions.defaults());
            assertEquals(List.of(), r.warnings(), p + " has warnings");
            for (Arch a : Arch.values()) {
                LoadResult onArch = PolicyLoader.loadWithWarnings(p, new LoadOptions(List.of(), List.of(a)));
                assertEquals(List.of(), onArch.warnings(), p + " has warnings on " + a);
                assertEquals(
                        List.of(),
                        PolicyLint.check(onArch.policy()).stream()
                                .map(Diagnostic::render)
                                .toList(),
                        p + " has lint findings on " + a);
                PolicyCompiler.compile(onArch.policy(), CompileOptions.defaults());
            }
        }
    }

    @Test
    void defaultProfileDecisions() {
        Policy policy =
                PolicyLoader.load(DIR.resolve("default.yaml"), new LoadOptions(List.of(), List.of(Arch.X86_64)));
        Program p = PolicyCompiler.compile(policy, CompileOptions.defaults()).program();
        Constants c = Constants.of(Arch.X86_64);
        long newUser = c.value("CLONE_NEWUSER").getAsLong() | c.value("SIGCHLD").getAsLong();
        long vsock = c.value("AF_VSOCK").getAsLong();
        long inet = c.value("AF_INET").getAsLong();
        assertDecides(p, policy, "read", Action.ALLOW);
        assertDecides(p, policy, "openat", Action.ALLOW);
        assertDecides(p, policy, "mount", Action.errno(1));
        assertDecides(p, policy, "init_module", Action.errno(1));
        assertDecides(p, policy, "ptrace", Action.errno(1));
        assertDecides(p, policy, "clone3", Action.errno(38));
        assertDecides(p, policy, "clone", Action.errno(1), newUser);
        assertDecides(p, policy, "clone", Action.ALLOW, c.value("SIGCHLD").getAsLong());
        assertDecides(p, policy, "socket", Action.errno(1), vsock);
        assertDecides(p, policy, "socket", Action.ALLOW, inet);
        // upper-half garbage in socket's int domain neither lets AF_VSOCK through nor blocks AF_INET
        assertDecides(p, policy, "socket", Action.errno(1), vsock | 0xdead00000000L);
        assertDecides(p, policy, "socket", Action.ALLOW, inet | 0xdead00000000L);
        assertDecides(p, policy, "personality", Action.errno(1), 4);
        assertDecides(p, policy, "personality", Action.ALLOW, 8);
    }

    @Test
    void issueSixProfilesAreAllShipped() throws IOException {
        List<String> names = profiles().stream()
                .map(p -> p.getFileName().toString().replace(".yaml", ""))
                .toList();
        assertTrue(
                names.containsAll(List.of(
                        "default", "strict-stdio", "no-network", "no-exec", "read-only", "build", "python", "shell")),
                names.toString());
    }

    /**
     * Every profile makes a Landlock domain (which alone keeps ptrace and /proc/PID/mem inside it),
     * creates no device node and scopes signals and abstract sockets; read-only confines every
     * file-system right and grants writing only beneath /tmp and on the four devices.
     */
    @Test
    void everyProfileHasALandlockDomain() throws IOException {
        for (Path file : profiles()) {
            LandlockRuleset r = PolicyLoader.load(file, new LoadOptions(List.of(), List.of(Arch.X86_64)))
                    .landlock();
            String name = file.getFileName().toString();
            assertEquals(
                    FsAccess.MAKE_CHAR | FsAccess.MAKE_BLOCK,
                    r.handledFs() & (FsAccess.MAKE_CHAR | FsAccess.MAKE_BLOCK),
                    name);
            assertEquals(Scope.ALL, r.scoped(), name);
            assertEquals(LandlockRuleset.Compat.BEST_EFFORT, r.compat(), name);
            for (LandlockRuleset.PathRule rule : r.paths()) {
                assertEquals(
                        0,
                        rule.access() & (FsAccess.MAKE_CHAR | FsAccess.MAKE_BLOCK),
                        name + " grants device nodes at " + rule.path());
            }
        }
        LandlockRuleset ro = PolicyLoader.load(
                        DIR.resolve("read-only.yaml"), new LoadOptions(List.of(), List.of(Arch.X86_64)))
                .landlock();
        assertEquals(FsAccess.ALL, ro.handledFs());
        long writing =
                FsAccess.WRITE_FILE | FsAccess.MAKE_REG | FsAccess.REMOVE_FILE | FsAccess.REFER | FsAccess.MAKE_DIR;
        List<String> writable = ro.paths().stream()
                .filter(p -> (p.access() & writing) != 0)
                .map(LandlockRuleset.PathRule::path)
                .toList();
        assertEquals(List.of("/tmp", "/dev/null", "/dev/zero", "/dev/full", "/dev/tty"), writable);
        LandlockRuleset nn = PolicyLoader.load(
                        DIR.resolve("no-network.yaml"), new LoadOptions(List.of(), List.of(Arch.X86_64)))
                .landlock();
        assertEquals(NetAccess.ALL, nn.handledNet());
        assertTrue(nn.ports().isEmpty());
    }

    @Test
    void restrictingProfilesDecideTheirKeyCalls() {
        Constants c = Constants.of(Arch.X86_64);
        long rdonly = c.value("O_RDONLY").getAsLong();
        long create = c.value("O_WRONLY").getAsLong() | c.value("O_CREAT").getAsLong();
        long thread = c.value("CLONE_THREAD").getAsLong() | c.value("CLONE_VM").getAsLong();
        long sigchld = c.value("SIGCHLD").getAsLong();
        long cwd = -100;
        Action trace = Action.trace(0);
        decides("strict-stdio", "read", Action.ALLOW);
        decides("strict-stdio", "openat", trace, cwd, 0, rdonly);
        decides("strict-stdio", "openat", Action.errno(1), cwd, 0, create);
        decides("strict-stdio", "socket", Action.errno(1), c.value("AF_UNIX").getAsLong());
        decides("strict-stdio", "clone", Action.errno(1), sigchld);
        decides("strict-stdio", "clone", Action.ALLOW, thread);
        decides("strict-stdio", "execveat", Action.errno(1));
        decides("no-network", "socket", Action.ALLOW, c.value("AF_UNIX").getAsLong());
        decides("no-network", "socket", Action.errno(1), c.value("AF_INET").getAsLong());
        decides("no-network", "socket", Action.errno(1), c.value("AF_NETLINK").getAsLong());
        decides("no-network", "socket", Action.errno(1), c.value("AF_INET6").getAsLong() | 0xdead00000000L);
        decides("no-exec", "clone", Action.errno(1), sigchld);
        decides("no-exec", "clone", Action.ALLOW, thread);
        decides("no-exec", "vfork", Action.errno(1));
        decides("no-exec", "execveat", Action.errno(1));
        decides("no-exec", "execve", Action.ALLOW);
        // read-only: opens, creation, removal and renames are Landlock's (see landlockDomains); the
        // metadata changes Landlock cannot say are the read-only mount's (isolate:), so the filter
        // lets them through, and only where no mount can be made does MountFallback route them
        decides("read-only", "openat", Action.ALLOW, cwd, 0, rdonly);
        decides("read-only", "openat", Action.ALLOW, cwd, 0, create);
        decides("read-only", "unlinkat", Action.ALLOW);
        decides("read-only", "openat2", Action.ALLOW);
        decides("read-only", "fchmodat", Action.ALLOW, cwd, 0, 0777);
        decides("read-only", "utimensat", Action.ALLOW, cwd, 1, 0, 0);
        decides("read-only", "utimensat", Action.ALLOW, 3, 0, 0, 0);
        Isolation iso = PolicyLoader.load(
                        DIR.resolve("read-only.yaml"), new LoadOptions(List.of(), List.of(Arch.X86_64)))
                .isolation();
        assertEquals(List.of("/"), iso.readOnly());
        assertEquals(List.of("/tmp"), iso.writable());
        assertEquals(Compat.BEST_EFFORT, iso.compat());
        Policy fallback = MountFallback.apply(
                        PolicyLoader.load(
                                DIR.resolve("read-only.yaml"), new LoadOptions(List.of(), List.of(Arch.X86_64))),
                        path -> path)
                .policy();
        assertDecides(
                PolicyCompiler.compile(fallback, CompileOptions.defaults()).program(),
                fallback,
                "fchmodat",
                trace,
                cwd,
                0,
                0777);
        decides(
                "read-only",
                "ioctl",
                Action.errno(30),
                3,
                c.value("FS_IOC_SETFLAGS").getAsLong());
        decides(
                "read-only",
                "ioctl",
                Action.errno(30),
                3,
                c.value("FS_IOC_FSSETXATTR").getAsLong());
        decides("read-only", "mount", Action.errno(1));
        decides("no-network", "ioctl", Action.errno(1), 3, c.value("TUNSETIFF").getAsLong());
        for (String p : List.of("build", "python", "shell")) {
            decides(p, "chroot", Action.errno(1));
            decides(p, "execve", Action.ALLOW);
            decides(p, "clone", Action.ALLOW, sigchld);
            decides(p, "mount", Action.errno(1));
        }
    }

    private static void decides(String profile, String syscall, Action want, long... args) {
        Policy policy =
                PolicyLoader.load(DIR.resolve(profile + ".yaml"), new LoadOptions(List.of(), List.of(Arch.X86_64)));
        Program p = PolicyCompiler.compile(policy, CompileOptions.defaults()).program();
        assertDecides(p, policy, syscall, want, args);
    }

    private static void assertDecides(Program p, Policy policy, String syscall, Action want, long... args) {
        int nr = SyscallTable.of(Arch.X86_64).byName(syscall).orElseThrow().nr();
        SeccompData d = SeccompData.of(nr, Arch.X86_64.auditArch(), args);
        assertEquals(want, ReferenceEvaluator.decide(policy, d).action(), syscall + " (policy)");
        assertEquals(want, Interpreter.run(p, d).action(), syscall + " (program)");
    }
}
