package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.model.Supervision;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import dev.syscage.supervise.SuperviseRulesHook;
import dev.syscage.supervise.SyscallHook;
import dev.syscage.supervise.hooks.HookChain;
import dev.syscage.supervise.metrics.MetricsHook;
import dev.syscage.supervise.metrics.Summary;
import dev.syscage.supervise.metrics.SupervisorMetrics;
import dev.syscage.supervise.session.SupervisorSession;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which allowed opens notify mode makes itself (race-free, ADDFD): exactly those whose answer a
 * path could change. A path rule on the call, or a hook that does not say otherwise, makes it
 * so; a rule without paths, a rule on another call, and the metrics hook do not.
 */
class PathDecidesTest {
    private static final int OPENAT = 257;
    private static final int OPEN = 2;
    private static final int GETPID = 39;

    private static Supervision supervision(String rules) {
        String yaml = """
                version: 1
                default: allow
                rules:
                  - action: notify
                    syscalls: [openat, open, getpid]
                supervise:
                  default: allow
                """ + rules;
        return PolicyLoader.loadString("p.yaml", yaml, LoadOptions.defaults()).supervision();
    }

    private static SupervisorSession session(Supervision s, SyscallHook... more) {
        List<SyscallHook> hooks = new ArrayList<>(
                List.of(new SuperviseRulesHook(s), new MetricsHook(new SupervisorMetrics(() -> 0L), new Summary())));
        hooks.addAll(List.of(more));
        return new SupervisorSession(new HookChain(hooks, (m, e) -> {}), SuperviseRulesHook.fallback(s), null);
    }

    @Test
    void aPathRuleOnTheCallMakesThePathDecide() {
        SupervisorSession s = session(supervision("""
                  rules:
                    - syscalls: [openat]
                      path: ["/etc/shadow"]
                      decision: errno EACCES
                """));
        assertTrue(s.pathDecides(Arch.X86_64, OPENAT));
        assertFalse(s.pathDecides(Arch.X86_64, GETPID), "no path rule covers getpid");
    }

    @Test
    void rulesWithoutPathsAndObservingHooksLeaveTheKernelToOpen() {
        SupervisorSession s = session(supervision("""
                  rules:
                    - syscalls: [openat]
                      when: "flags & O_CREAT"
                      decision: errno EACCES
                """));
        assertFalse(s.pathDecides(Arch.X86_64, OPENAT), "a condition on registers is race-free as it is");
        assertFalse(s.pathDecides(Arch.X86_64, OPEN));
    }

    @Test
    void aHookThatMayReadPathsMakesEveryOpenRaceFree() {
        SyscallHook custom = () -> "custom";
        SupervisorSession s = session(supervision(""), custom);
        assertTrue(s.pathDecides(Arch.X86_64, OPENAT));
        assertTrue(s.pathDecides(Arch.I386, 5));
    }
}
