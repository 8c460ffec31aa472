package dev.syscage.policy.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.diag.SourceText;
import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.policy.model.Supervision.Verdict;
import dev.syscage.policy.path.PathPattern;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link Supervision#decide} on hand-built rules, log levels, decisions, and the compatibility constructor of {@link Policy}. */
class SupervisionTest {
    private static final SourceText SRC = new SourceText("s.yaml", "");
    private static final int OPENAT = 257;
    private static final int UNLINK = 87;
    /** {@code arg2 & 3 != 0}: opened for writing. */
    private static final Cond WRITING = new Cond.Test(2, 32, 3, Cond.Op.ANY_BITS, 0);

    private static SuperviseRule rule(int index, Map<Integer, Cond> nrs, List<String> paths, SuperviseDecision d) {
        return new SuperviseRule(
                index,
                SRC.pos(index + 1, 5),
                List.of("x"),
                SyscallSet.of(Map.of(Arch.X86_64, nrs)),
                paths.stream().map(PathPattern::compile).toList(),
                null,
                d);
    }

    private static final Supervision S = new Supervision(
            LogLevel.ALL,
            List.of(
                    rule(0, Map.of(OPENAT, Cond.TRUE), List.of("/usr/**"), SuperviseDecision.ALLOW),
                    rule(1, Map.of(OPENAT, WRITING, UNLINK, Cond.TRUE), List.of(), SuperviseDecision.errno(13)),
                    rule(2, Map.of(OPENAT, Cond.TRUE, UNLINK, Cond.TRUE), List.of("/tmp/**"), SuperviseDecision.KILL)),
            SuperviseDecision.errno(1),
            SRC.pos(1, 1));

    private static int decidingRule(int nr, long flags, String path) {
        return S.decide(Arch.X86_64, nr, new long[] {0, 0, flags, 0, 0, 0}, Optional.ofNullable(path))
                .ruleIndex();
    }

    @Test
    void rulesAreTriedInOrderAndEachPartMustHold() {
        assertEquals(0, decidingRule(OPENAT, 1, "/usr/lib/x"), "path matches: the first rule, whatever the flags");
        assertEquals(1, decidingRule(OPENAT, 1, "/tmp/x"), "rule #2 comes before rule #3");
        assertEquals(2, decidingRule(OPENAT, 0, "/tmp/x"), "not writing: rule #2's condition fails");
        assertEquals(-1, decidingRule(OPENAT, 0, "/etc/x"), "nothing matches");
        assertEquals(-1, decidingRule(OPENAT, 0, null), "rules with paths never match a call without one");
        assertEquals(1, decidingRule(UNLINK, 0, "/usr/x"), "rule #1 does not name unlink");
        assertEquals(-1, decidingRule(999, 0, "/usr/x"), "a number no rule names gets the default");
        assertEquals(-1, decidingRule(-1, 0, "/usr/x"), "so does -1");
    }

    @Test
    void aVerdictByNumberAloneOnlyWhereNoArgumentOrPathCanChangeIt() {
        int getppid = 110;
        int close = 3;
        Supervision s = new Supervision(
                LogLevel.DENIED,
                List.of(
                        rule(0, Map.of(close, Cond.FALSE), List.of(), SuperviseDecision.KILL),
                        rule(1, Map.of(UNLINK, Cond.TRUE, close, Cond.TRUE), List.of(), SuperviseDecision.errno(13)),
                        rule(2, Map.of(OPENAT, WRITING), List.of(), SuperviseDecision.errno(30)),
                        rule(
                                3,
                                Map.of(OPENAT, Cond.TRUE, getppid, Cond.TRUE),
                                List.of("/tmp/**"),
                                SuperviseDecision.KILL)),
                SuperviseDecision.ALLOW,
                SRC.pos(1, 1));
        assertEquals(Optional.of(1), s.verdictByNumber(Arch.X86_64, UNLINK).map(Verdict::ruleIndex));
        assertEquals(
                Optional.of(1),
                s.verdictByNumber(Arch.X86_64, close).map(Verdict::ruleIndex),
                "a rule that never matches is passed over, as decide() does");
        assertEquals(Optional.empty(), s.verdictByNumber(Arch.X86_64, OPENAT), "the flags decide");
        assertEquals(Optional.empty(), s.verdictByNumber(Arch.X86_64, getppid), "a path rule covers it");
        Verdict byDefault = s.verdictByNumber(Arch.X86_64, 39).orElseThrow();
        assertTrue(byDefault.isDefault());
        assertEquals(SuperviseDecision.ALLOW, byDefault.decision());
        assertTrue(s.verdictByNumber(Arch.AARCH64, UNLINK).orElseThrow().isDefault(), "rules name x86_64 only");
        // whatever the registers, decide() agrees with the verdict by number
        for (long[] args : List.of(new long[6], new long[] {1, 2, 3, 4, 5, 6}, new long[] {-1, -1, -1, -1, -1, -1})) {
            for (int nr : List.of(UNLINK, close, 39)) {
                assertEquals(
                        s.verdictByNumber(Arch.X86_64, nr).orElseThrow(),
                        s.decide(Arch.X86_64, nr, args, Optional.of("/tmp/x")));
            }
        }
    }

    @Test
    void aCallWithTwoPathsGetsTheStrictestVerdict() {
        int rename = 82;
        Supervision s = new Supervision(
                LogLevel.ALL,
                List.of(
                        rule(0, Map.of(rename, Cond.TRUE), List.of("/tmp/**"), SuperviseDecision.ALLOW),
                        rule(1, Map.of(rename, Cond.TRUE), List.of("/root/**"), SuperviseDecision.KILL)),
                SuperviseDecision.errno(30),
                SRC.pos(1, 1));
        long[] args = new long[6];
        Optional<String> tmp = Optional.of("/tmp/a");
        assertEquals(
                0,
                s.decide(Arch.X86_64, rename, args, tmp, List.of(Optional.of("/tmp/b")))
                        .ruleIndex());
        Verdict out = s.decide(Arch.X86_64, rename, args, tmp, List.of(Optional.of("/etc/passwd")));
        assertTrue(out.isDefault(), "the destination outside /tmp gets the default");
        assertEquals(SuperviseDecision.errno(30), out.decision());
        assertEquals(
                SuperviseDecision.errno(30),
                s.decide(Arch.X86_64, rename, args, Optional.of("/etc/passwd"), List.of(tmp))
                        .decision(),
                "whichever path it is");
        assertEquals(
                1,
                s.decide(Arch.X86_64, rename, args, Optional.of("/etc/x"), List.of(Optional.of("/root/y")))
                        .ruleIndex(),
                "kill is stricter than errno");
        assertTrue(
                s.decide(Arch.X86_64, rename, args, tmp, List.of(Optional.empty()))
                        .isDefault(),
                "an unreadable destination matches no path rule");
        assertEquals(s.decide(Arch.X86_64, rename, args, tmp), s.decide(Arch.X86_64, rename, args, tmp, List.of()));
    }

    @Test
    void otherArchitecturesAreNotCovered() {
        Verdict v = S.decide(Arch.AARCH64, OPENAT, new long[6], Optional.of("/usr/lib/x"));
        assertTrue(v.isDefault());
        assertEquals(SuperviseDecision.errno(1), v.decision());
    }

    @Test
    void logLevelsSayWhichVerdictsAreRecorded() {
        Verdict ruleAllow = new Verdict(SuperviseDecision.ALLOW, SRC.pos(1, 1), 0);
        Verdict ruleDeny = new Verdict(SuperviseDecision.errno(13), SRC.pos(1, 1), 1);
        Verdict defaultAllow = new Verdict(SuperviseDecision.ALLOW, null, -1);
        Verdict defaultKill = new Verdict(SuperviseDecision.KILL, null, -1);
        List<Verdict> all = List.of(ruleAllow, ruleDeny, defaultAllow, defaultKill);
        assertEquals(
                List.of(true, true, true, true),
                all.stream().map(LogLevel.ALL::records).toList());
        assertEquals(
                List.of(true, true, false, false),
                all.stream().map(LogLevel.DECISIONS::records).toList());
        assertEquals(
                List.of(false, true, false, true),
                all.stream().map(LogLevel.DENIED::records).toList());
        assertEquals(
                List.of(false, false, false, false),
                all.stream().map(LogLevel.NONE::records).toList());
        assertEquals(Optional.of(LogLevel.DENIED), LogLevel.byWord("denied"));
        assertEquals(Optional.empty(), LogLevel.byWord("DENIED"));
    }

    @Test
    void decisionsCarryAnErrnoOnlyWhenTheyAreErrno() {
        assertEquals("errno 13", SuperviseDecision.errno(13).toString());
        assertEquals("kill", SuperviseDecision.KILL.toString());
        assertFalse(SuperviseDecision.ALLOW.denies());
        assertThrows(IllegalArgumentException.class, () -> SuperviseDecision.errno(0));
        assertThrows(IllegalArgumentException.class, () -> SuperviseDecision.errno(4096));
        assertThrows(IllegalArgumentException.class, () -> new SuperviseDecision(SuperviseDecision.Kind.KILL, 9));
    }

    @Test
    void theSevenArgumentPolicyHasNoSupervision() {
        Policy p = new Policy(
                "p", "", List.of(), Action.KILL, RuleRef.fallback(RuleRef.Kind.BAD_ARCH, null), List.of(), Map.of());
        assertSame(Supervision.NONE, p.supervision());
        assertThrows(
                NullPointerException.class,
                () -> new Policy(
                        "p",
                        "",
                        List.of(),
                        Action.KILL,
                        RuleRef.fallback(RuleRef.Kind.BAD_ARCH, null),
                        List.of(),
                        Map.of(),
                        null));
    }
}
