package dev.syscage.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Constants;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.Interpreter;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.eval.ReferenceEvaluator;
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
 * Every shipped profile loads without warnings and compiles for every arch; the default
 * profile's key decisions hold in the compiled program. (Running real programs under the
 * profiles needs the launcher: issue 3.)
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
                Policy policy = PolicyLoader.load(p, new LoadOptions(List.of(), List.of(a)));
                PolicyCompiler.compile(policy, CompileOptions.defaults());
            }
        }
    }

    @Test
    void defaultProfileDecisions() {
        Policy policy = PolicyLoader.load(DIR.resolve("default.yaml"), new LoadOptions(List.of(), List.of(Arch.X86_64)));
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

    private static void assertDecides(Program p, Policy policy, String syscall, Action want, long... args) {
        int nr = SyscallTable.of(Arch.X86_64).byName(syscall).orElseThrow().nr();
        SeccompData d = SeccompData.of(nr, Arch.X86_64.auditArch(), args);
        assertEquals(want, ReferenceEvaluator.decide(policy, d).action(), syscall + " (policy)");
        assertEquals(want, Interpreter.run(p, d).action(), syscall + " (program)");
    }
}
