package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.policy.rewrite.ViewWatch;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.SuperviseRulesHook;
import dev.syscage.supervise.SyscallHook;
import dev.syscage.supervise.audit.AuditFormat;
import dev.syscage.supervise.audit.AuditLog;
import dev.syscage.supervise.hooks.HookChain;
import dev.syscage.supervise.metrics.MetricsHook;
import dev.syscage.supervise.metrics.Summary;
import dev.syscage.supervise.metrics.SupervisorMetrics;
import dev.syscage.supervise.session.SupervisorSession;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which calls the native receive loop may answer by itself: only those whose decision the
 * number alone makes and that nothing but counting needs to see. Anything a path, an argument,
 * an audit record, a hook of one's own, a kill, an exec or the view cache needs stays in Java.
 */
class FixedAnswersTest {
    private static final int OPENAT = 257;
    private static final int UNLINK = 87;
    private static final int MKDIR = 83;
    private static final int EXECVE = 59;
    private static final int CLONE = 56;

    private static Policy policy(String log, String rules) {
        return PolicyLoader.loadString("f.yaml", """
                version: 1
                default: allow
                rules:
                  - action: notify
                    syscalls: [openat, unlink, mkdir, execve, clone]
                supervise:
                  log: %s
                  default: allow
                """.formatted(log) + rules, LoadOptions.defaults());
    }

    private static SupervisorSession session(Policy p, List<SyscallHook> extra, Summary summary) {
        List<SyscallHook> hooks = new ArrayList<>(List.of(
                new SuperviseRulesHook(p.supervision()), new MetricsHook(new SupervisorMetrics(() -> 0), summary)));
        hooks.addAll(extra);
        LogLevel level = p.supervision().log();
        AuditLog log = AuditLog.to(new StringWriter(), "test", AuditFormat.JSONL, level, 16, e -> {});
        return new SupervisorSession(
                new HookChain(hooks, (m, e) -> {}), SuperviseRulesHook.fallback(p.supervision()), log);
    }

    private static Optional<FixedAnswers> answers(String log, String rules) {
        Policy p = policy(log, rules);
        return FixedAnswers.of(session(p, List.of(), new Summary()), ViewWatch.NONE);
    }

    @Test
    void callsDecidedByNumberAndNotRecordedAreFixed() {
        FixedAnswers a = answers("none", """
                  rules:
                    - syscalls: [mkdir]
                      decision: errno EROFS
                    - syscalls: [unlink]
                      path: ["/etc/**"]
                      decision: errno EACCES
                    - syscalls: [openat]
                      when: "flags & O_CREAT"
                      decision: errno EACCES
                """).orElseThrow();
        assertEquals(
                Optional.of(Decision.Kind.ERRNO), a.fixed(Arch.X86_64, MKDIR).map(Decision::kind));
        assertEquals(30, a.fixed(Arch.X86_64, MKDIR).orElseThrow().errno());
        assertEquals(Optional.empty(), a.fixed(Arch.X86_64, UNLINK), "a path rule: Java reads the path");
        assertEquals(Optional.empty(), a.fixed(Arch.X86_64, OPENAT), "a condition on flags: Java evaluates it");
        assertEquals(Optional.empty(), a.fixed(Arch.X86_64, EXECVE), "an exec changes what the audit log knows");
        assertEquals(
                Optional.of(Decision.Kind.ALLOW),
                a.fixed(Arch.X86_64, 39).map(Decision::kind),
                "getpid, by default (were it routed)");
        assertEquals(Optional.of(Decision.Kind.ALLOW), a.fixed(Arch.I386, 20).map(Decision::kind), "i386 too");
        assertEquals(Optional.empty(), a.fixed(Arch.X86_64, FixedAnswers.NRS), "above the table: ask Java");
    }

    @Test
    void whatTheAuditLogRecordsIsNeverFixed() {
        assertEquals(Optional.empty(), answers("all", ""), "log: all records every call");
        FixedAnswers denied = answers("denied", """
                  rules:
                    - syscalls: [mkdir]
                      decision: errno EROFS
                """).orElseThrow();
        assertEquals(Optional.empty(), denied.fixed(Arch.X86_64, MKDIR), "log: denied records the EROFS");
        assertTrue(denied.fixed(Arch.X86_64, OPENAT).isPresent(), "allowed and not recorded");
        FixedAnswers decisions = answers("decisions", """
                  rules:
                    - syscalls: [unlink]
                      decision: allow
                """).orElseThrow();
        assertEquals(Optional.empty(), decisions.fixed(Arch.X86_64, UNLINK), "log: decisions records a rule's allow");
        assertTrue(decisions.fixed(Arch.X86_64, OPENAT).isPresent(), "the default's allow is not recorded");
    }

    @Test
    void killsOwnHooksAndWatchedCallsStayInJava() {
        FixedAnswers kill = answers("none", """
                  rules:
                    - syscalls: [mkdir]
                      decision: kill
                """).orElseThrow();
        assertEquals(Optional.empty(), kill.fixed(Arch.X86_64, MKDIR), "a kill is checked (ID_VALID) and made in Java");

        Policy p = policy("none", "");
        SyscallHook own = () -> "own";
        assertEquals(
                Optional.empty(),
                FixedAnswers.of(session(p, List.of(own), new Summary()), ViewWatch.NONE),
                "a hook of one's own sees every call");

        ViewWatch watch = ViewWatch.of(p);
        FixedAnswers watched =
                FixedAnswers.of(session(p, List.of(), new Summary()), watch).orElseThrow();
        assertTrue(watch.watched(Arch.X86_64, CLONE));
        assertEquals(Optional.empty(), watched.fixed(Arch.X86_64, CLONE), "clone empties the view cache, in Java");
        assertTrue(watched.fixed(Arch.X86_64, OPENAT).isPresent());
    }

    @Test
    void callsAnsweredByNumberAreCountedInTheSummary() {
        Policy p = policy("none", "");
        Summary summary = new Summary();
        SupervisorSession s = session(p, List.of(), summary);
        s.decidedByNumber(Arch.X86_64, OPENAT, Decision.allow("default"), 41);
        s.decidedByNumber(Arch.X86_64, OPENAT, Decision.allow("default"), 1);
        assertEquals(List.of(new Summary.Row("openat", 42, 0, 0, 0, 0)), summary.rows());
    }
}
