package dev.syscage.policy.complain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.Interpreter;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.bpf.Verifier;
import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.eval.Decision;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The complain rewrite: each call the policy denies goes to the supervisor instead (the compiled,
 * verified program agrees), each other call gets what it got, the rule that decided stays the
 * same (so the supervisor can name it), and the supervise section and Landlock rules are kept.
 */
class ComplainTest {
    private static final Arch X = Arch.X86_64;
    private static final SyscallTable TABLE = SyscallTable.of(X);
    private static final LoadOptions OPTIONS = new LoadOptions(List.of(Path.of("../profiles")), List.of(X));
    private static final String POLICY = """
            version: 1
            default: errno EPERM
            rules:
              - action: errno EACCES
                syscalls: [openat]
                when: "(flags & O_ACCMODE) != O_RDONLY"
              - action: allow
                syscalls: [openat, read, write, exit_group]
              - action: kill
                syscalls: [ptrace]
              - action: trap
                syscalls: [reboot]
              - action: log
                syscalls: [getpid]
              - action: trace
                syscalls: [unlink]
              - action: kill_thread
                syscalls: [kexec_load]
            supervise:
              default: errno EPERM
            """;

    private static Policy load(String yaml) {
        return PolicyLoader.loadString("p.yaml", yaml, OPTIONS);
    }

    private static SeccompData call(String name, long... args) {
        return SeccompData.of(TABLE.byName(name).orElseThrow().nr(), X.auditArch(), args);
    }

    @Test
    void everyDenialGoesToTheSupervisorAndTheRestIsUnchanged() {
        Policy before = load(POLICY);
        Policy after = Complain.apply(before);
        Program program =
                PolicyCompiler.compile(after, CompileOptions.defaults()).program();
        assertEquals(List.of(), Verifier.verify(program));
        List<SeccompData> calls = List.of(
                call("openat", -100, 0, 1),
                call("openat", -100, 0, 0),
                call("read"),
                call("ptrace"),
                call("reboot"),
                call("getpid"),
                call("unlink"),
                call("kexec_load"),
                call("mkdir"),
                SeccompData.of(TABLE.byName("read").orElseThrow().nr(), Arch.I386.auditArch()));
        for (SeccompData d : calls) {
            Decision was = ReferenceEvaluator.decide(before, d);
            Decision now = ReferenceEvaluator.decide(after, d);
            Action expected = Complain.denies(was.action()) ? Action.trace(0) : was.action();
            assertEquals(expected, now.action(), d.toString());
            assertEquals(was.rule(), now.rule(), "the same rule decides " + d);
            assertEquals(expected, Action.fromSeccompRet(Interpreter.eval(program, d)), "compiled: " + d);
        }
        assertEquals(before.supervision(), after.supervision());
        assertEquals(before.landlock(), after.landlock());
        assertEquals(before.isolation(), after.isolation());
    }

    @Test
    void deniedCallsAreTheFourDenyingActions() {
        assertTrue(Complain.denies(Action.errno(1)));
        assertTrue(Complain.denies(Action.KILL));
        assertTrue(Complain.denies(Action.KILL_THREAD));
        assertTrue(Complain.denies(Action.trap(0)));
        assertFalse(Complain.denies(Action.ALLOW));
        assertFalse(Complain.denies(Action.LOG));
        assertFalse(Complain.denies(Action.NOTIFY));
        assertFalse(Complain.denies(Action.trace(3)));
    }

    @Test
    void aPolicyThatDeniesNothingIsUnchangedAndApplyingTwiceChangesNothingMore() {
        Policy open = load("version: 1\ndefault: allow\n");
        assertEquals(open.arches(), Complain.apply(open).arches());
        Policy once = Complain.apply(load(POLICY));
        assertEquals(once, Complain.apply(once));
    }

    @Test
    void theRuleTextNamesFileAndLine() {
        Policy p = load(POLICY);
        Decision write = ReferenceEvaluator.decide(p, call("openat", -100, 0, 1));
        assertEquals("p.yaml:4", Complain.ruleText(write.rule()));
        Decision other = ReferenceEvaluator.decide(p, call("mkdir"));
        assertEquals("default p.yaml:2", Complain.ruleText(other.rule()));
    }

    @Test
    void prepareCarriesTheFileSystemRulesToTheSupervisorAndNamesWhatItDrops() {
        Policy p = load("""
                version: 1
                default: allow
                filesystem:
                  allow:
                    - paths: [/usr]
                      access: [read, execute]
                network:
                  connect: [443]
                isolate:
                  namespaces: [net]
                """);
        Complain.Prepared c = Complain.prepare(p, path -> path);
        assertTrue(c.policy().landlock().isEmpty(), "no Landlock domain");
        assertTrue(c.policy().isolation().isEmpty(), "no namespaces");
        assertTrue(c.notChecked().contains("net.connect_tcp"), c.notChecked().toString());
        assertTrue(
                c.notChecked().stream().anyMatch(s -> s.startsWith("isolate: namespaces (net)")),
                c.notChecked().toString());
        // a write under /usr is checked by the supervisor (the filter routes it), then a complaint, not EACCES
        Policy filter = Complain.apply(c.policy());
        Decision write = ReferenceEvaluator.decide(filter, call("openat", -100, 0, 1));
        assertFalse(Complain.denies(write.action()), write.toString());
        assertFalse(c.policy().supervision().rules().isEmpty(), "the section's path rules are supervise rules");
    }

    @Test
    void aPolicyWithoutLandlockOrIsolateIsPreparedAsItIs() {
        Policy p = load(POLICY);
        Complain.Prepared c = Complain.prepare(p, path -> path);
        assertEquals(p, c.policy());
        assertEquals(List.of(), c.notChecked());
    }
}
