package dev.syscage.policy.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.bpf.Interpreter;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import org.junit.jupiter.api.Test;

/** Which calls notify mode also sends to the supervisor so that it may remember a thread's rights. */
class ViewWatchTest {
    private static final int SETUID = 105;
    private static final int UMASK = 95;
    private static final int CLONE = 56;
    private static final int SETGID = 106;
    private static final int CHROOT = 161;
    private static final int GETPID = 39;

    private static Policy policy(String body) {
        return PolicyLoader.loadString("w.yaml", "version: 1\narch: x86_64\n" + body, LoadOptions.defaults());
    }

    /** The action of the policy's meaning, after checking the compiled filter agrees. */
    private static Action action(Policy p, int nr, long... args) {
        SeccompData d = SeccompData.of(nr, Arch.X86_64.auditArch(), args);
        Action meant = ReferenceEvaluator.decide(p, d).action();
        Program filter = PolicyCompiler.compile(p, CompileOptions.defaults()).program();
        assertEquals(meant.seccompRet(), Interpreter.eval(filter, d), "filter and meaning differ for " + nr);
        return meant;
    }

    @Test
    void everyNotifyPolicyIsWatchedEvenWithoutARoutedOpen() {
        ViewWatch w = ViewWatch.of(policy("default: allow\nrules:\n  - action: notify\n    syscalls: [getpid]\n"));
        assertTrue(w.caches(), "the thread-to-process cache needs the watch too");
        assertTrue(w.watched(Arch.X86_64, CLONE));
    }

    @Test
    void aLoggedWatchedCallTurnsTheWatchOff() {
        assertSame(ViewWatch.NONE, ViewWatch.of(policy("""
                default: allow
                rules:
                  - action: notify
                    syscalls: [openat]
                  - action: log
                    syscalls: [setuid]
                """)));
    }

    @Test
    void watchedCallsThatRunGoToTheSupervisorTheOthersKeepTheirDecision() {
        Policy p = policy("""
                default: allow
                rules:
                  - action: notify
                    syscalls: [openat]
                  - action: errno EPERM
                    syscalls: [chroot]
                  - action: allow
                    syscalls: [setgid]
                    when: "gid == 0"
                  - action: errno EPERM
                    syscalls: [setgid]
                """);
        ViewWatch w = ViewWatch.of(p);
        assertTrue(w.caches());
        Policy routed = w.apply(p);
        assertEquals(Action.NOTIFY, action(routed, SETUID), "allowed by default");
        assertEquals(Action.NOTIFY, action(routed, UMASK));
        assertEquals(Action.NOTIFY, action(routed, CLONE));
        assertEquals(Action.errno(1), action(routed, CHROOT), "denied: cannot change anything");
        assertEquals(Action.NOTIFY, action(routed, SETGID, 0), "allowed for gid 0");
        assertEquals(Action.errno(1), action(routed, SETGID, 1000), "denied for others");
        assertEquals(Action.ALLOW, action(routed, GETPID), "not watched");

        assertTrue(w.watched(Arch.X86_64, SETUID));
        assertTrue(w.watched(Arch.X86_64, CHROOT), "watched (its notifications would be events) though never sent");
        assertFalse(w.watched(Arch.X86_64, GETPID));
        assertFalse(w.policyRoutes(Arch.X86_64, SETUID, new long[6]), "the policy itself lets setuid run");
        assertTrue(w.policyRoutes(Arch.X86_64, 257, new long[6]));
    }

    @Test
    void aCallThePolicyRoutesItselfStaysTheSupervisorsToDecide() {
        Policy p = policy("""
                default: allow
                rules:
                  - action: notify
                    syscalls: [openat, execve]
                """);
        ViewWatch w = ViewWatch.of(p);
        assertTrue(w.watched(Arch.X86_64, 59));
        assertTrue(w.policyRoutes(Arch.X86_64, 59, new long[6]), "execve is the policy's own: decided and recorded");
    }
}
