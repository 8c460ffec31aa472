package dev.syscage.policy.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Which mode a policy asks for, and turning its trace actions into notify actions and back. */
class SupervisionModeTest {
    private static Policy load(String rules) {
        return PolicyLoader.loadString("m.yaml", """
                version: 1
                arch: [x86_64]
                default: allow
                rules:
                """ + rules, LoadOptions.defaults());
    }

    private static Stream<Action> actions(Policy p) {
        ArchPolicy ap = p.forArch(Arch.X86_64).orElseThrow();
        return Stream.concat(
                Stream.of(ap.defaultAction(), ap.unknownAction(), p.badArchAction()),
                ap.clauses().values().stream().flatMap(cs -> cs.stream().map(Clause::action)));
    }

    @Test
    void thePolicysOwnActionsChooseTheMode() {
        assertEquals(Optional.empty(), SupervisionMode.of(load("  - action: errno EPERM\n    syscalls: [mkdir]\n")));
        assertEquals(
                Optional.of(SupervisionMode.TRACE),
                SupervisionMode.of(load("  - action: trace\n    syscalls: [openat]\n")));
        assertEquals(
                Optional.of(SupervisionMode.NOTIFY),
                SupervisionMode.of(load("  - action: notify\n    syscalls: [openat]\n")));
    }

    @Test
    void retargetingToNotifyReplacesEveryTraceActionAndNothingElse() {
        Policy p = load("""
                  - action: trace 7
                    syscalls: [openat]
                    when: "flags & O_CREAT"
                  - action: errno EACCES
                    syscalls: [openat, mkdir]
                  - action: trace
                    syscalls: [execve]
                """);
        Policy n = SupervisionMode.NOTIFY.retarget(p);
        assertFalse(actions(n).anyMatch(a -> a.kind() == Action.Kind.TRACE), n.toString());
        assertEquals(
                actions(p).filter(a -> a.kind() == Action.Kind.TRACE).count(),
                actions(n).filter(a -> a.kind() == Action.Kind.NOTIFY).count());
        assertEquals(
                actions(p).filter(a -> a.kind() == Action.Kind.ERRNO).toList(),
                actions(n).filter(a -> a.kind() == Action.Kind.ERRNO).toList());
        assertTrue(n.rules().stream().noneMatch(r -> r.action().kind() == Action.Kind.TRACE));
        assertEquals(Optional.of(SupervisionMode.NOTIFY), SupervisionMode.of(n));
        assertEquals(Optional.of(SupervisionMode.TRACE), SupervisionMode.of(SupervisionMode.TRACE.retarget(n)));
    }

    @Test
    void modeNamesParseAsOnTheCommandLine() {
        assertEquals(Optional.of(SupervisionMode.NOTIFY), SupervisionMode.parse("notify"));
        assertEquals(Optional.of(SupervisionMode.TRACE), SupervisionMode.parse("trace"));
        assertEquals(Optional.empty(), SupervisionMode.parse("ptrace"));
    }
}
