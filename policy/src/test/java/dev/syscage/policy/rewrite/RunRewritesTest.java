package dev.syscage.policy.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The run's stages in order, each asking the machine only what it needs. */
class RunRewritesTest {
    private static final int OPENAT = 257;
    private static final int MKDIR = 83;
    private static final int SETUID = 105;
    private static final int CHMOD = 90;
    private static final BooleanSupplier NEVER_ASKED = () -> {
        throw new AssertionError("asked the machine what no stage needs");
    };

    private static Policy policy(String body) {
        return PolicyLoader.loadString("r.yaml", "version: 1\narch: x86_64\n" + body, LoadOptions.defaults());
    }

    private static Action action(Policy p, int nr) {
        return ReferenceEvaluator.decide(p, SeccompData.of(nr, Arch.X86_64.auditArch(), new long[6]))
                .action();
    }

    private static RunRewrites.Choices choices(Optional<SupervisionMode> mode, boolean complain) {
        return RunRewrites.Choices.of(mode, complain)
                .withPtraceUsable(NEVER_ASKED)
                .withNotifySupported(NEVER_ASKED)
                .withLandlockAvailable(NEVER_ASKED)
                .withMountsPossible(NEVER_ASKED);
    }

    private static final String TRACED = """
            default: allow
            rules:
              - action: trace
                syscalls: [openat]
              - action: errno EPERM
                syscalls: [mkdir]
            supervise: {default: allow}
            """;

    @Test
    void anEnforcingSupervisorGetsNotifyModeWithoutAskingWhetherPtraceWorks() {
        String enforcing = TRACED.replace("supervise: {default: allow}", "supervise: {default: errno EACCES}");
        assertEquals(
                Optional.of(SupervisionMode.NOTIFY),
                RunRewrites.apply(
                                policy(enforcing),
                                choices(Optional.empty(), false).withNotifySupported(() -> true))
                        .mode());
        assertEquals(
                Optional.of(SupervisionMode.NOTIFY),
                RunRewrites.apply(
                                policy(TRACED),
                                choices(Optional.empty(), false).withHooks(true).withNotifySupported(() -> true))
                        .mode(),
                "a hook may deny");
    }

    @Test
    void aPolicyThatRoutesNothingIsCompiledAsWritten() {
        Policy p = policy("default: allow\nrules:\n  - action: errno EPERM\n    syscalls: [mkdir]\n");
        RunRewrites.Rewritten r = RunRewrites.apply(p, choices(Optional.of(SupervisionMode.NOTIFY), false));
        assertEquals(Optional.empty(), r.mode());
        assertSame(p, r.filter());
    }

    @Test
    void auditOnlyTraceActionsBecomeNotifyWhereThisProcessCannotTraceAndTheWatchedCallsFollow() {
        RunRewrites.Rewritten r = RunRewrites.apply(
                policy(TRACED),
                choices(Optional.empty(), false).withPtraceUsable(() -> false).withNotifySupported(() -> true));
        assertEquals(Optional.of(SupervisionMode.NOTIFY), r.mode());
        assertEquals(Action.Kind.NOTIFY, action(r.policy(), OPENAT).kind());
        assertEquals(Action.Kind.ALLOW, action(r.policy(), SETUID).kind());
        assertEquals(Action.Kind.NOTIFY, action(r.filter(), SETUID).kind(), "watched: the thread's view changes");
        assertSame(
                ViewWatch.NONE,
                RunRewrites.apply(
                                policy(TRACED),
                                choices(Optional.of(SupervisionMode.NOTIFY), false)
                                        .withWatch(false))
                        .watch());
    }

    @Test
    void auditOnlyByDefaultWithoutNotifyOrWhenTraceIsAskedTheyStayTrace() {
        RunRewrites.Rewritten byDefault = RunRewrites.apply(
                policy(TRACED), choices(Optional.empty(), false).withPtraceUsable(() -> true));
        RunRewrites.Rewritten unsupported = RunRewrites.apply(
                policy(TRACED),
                choices(Optional.empty(), false).withPtraceUsable(() -> false).withNotifySupported(() -> false));
        RunRewrites.Rewritten asked =
                RunRewrites.apply(policy(TRACED), choices(Optional.of(SupervisionMode.TRACE), false));
        for (RunRewrites.Rewritten r : new RunRewrites.Rewritten[] {byDefault, unsupported, asked}) {
            assertEquals(Optional.of(SupervisionMode.TRACE), r.mode());
            assertEquals(Action.Kind.TRACE, action(r.filter(), OPENAT).kind());
            assertEquals(Action.Kind.ALLOW, action(r.filter(), SETUID).kind());
        }
    }

    @Test
    void complainRoutesTheDenialsInTheRunsMode() {
        Policy p = policy("default: allow\nrules:\n  - action: errno EPERM\n    syscalls: [mkdir]\n");
        RunRewrites.Rewritten r = RunRewrites.apply(p, choices(Optional.of(SupervisionMode.NOTIFY), true));
        assertEquals(Optional.of(SupervisionMode.NOTIFY), r.mode());
        assertTrue(r.complain().isPresent());
        assertEquals(Action.Kind.ERRNO, action(r.enforced(), MKDIR).kind(), "what an enforcing run would do");
        assertEquals(Action.Kind.NOTIFY, action(r.filter(), MKDIR).kind());
    }

    @Test
    void readOnlyMountsBecomeSupervisorRulesWhereTheRunDoesNotMakeThem() {
        String body = "default: allow\nisolate:\n  read-only: [/]\n  compat: best-effort\n";
        Policy plain = policy(body);
        RunRewrites.Rewritten made =
                RunRewrites.apply(plain, choices(Optional.empty(), false).withMountsPossible(() -> true));
        assertSame(plain, made.filter());
        RunRewrites.Rewritten notMade = RunRewrites.apply(
                plain, choices(Optional.of(SupervisionMode.TRACE), false).withMountsPossible(() -> false));
        assertEquals(Action.Kind.TRACE, action(notMade.filter(), CHMOD).kind());
        // a supervised run never makes them: the machine is not asked
        RunRewrites.Rewritten supervised = RunRewrites.apply(
                policy(body + "rules:\n  - action: trace\n    syscalls: [openat]\n" + "supervise: {default: allow}\n"),
                choices(Optional.of(SupervisionMode.TRACE), false));
        assertEquals(Action.Kind.TRACE, action(supervised.filter(), CHMOD).kind());
    }

    @Test
    void aKernelWithoutLandlockCarriesABestEffortFilesystemSectionInTheFilter() {
        Policy p = policy("default: allow\nlandlock: best-effort\nfilesystem:\n  allow:\n    - paths: [/tmp]\n"
                + "      access: [read]\n");
        RunRewrites.Rewritten with =
                RunRewrites.apply(p, choices(Optional.empty(), false).withLandlockAvailable(() -> true));
        assertTrue(with.landlockFallback().isEmpty());
        assertSame(p, with.filter());
        RunRewrites.Rewritten without = RunRewrites.apply(
                p, choices(Optional.of(SupervisionMode.TRACE), false).withLandlockAvailable(() -> false));
        assertTrue(without.landlockFallback().isPresent());
        assertEquals(Optional.of(SupervisionMode.TRACE), without.mode());
        assertEquals(Action.Kind.TRACE, action(without.filter(), OPENAT).kind());
    }
}
