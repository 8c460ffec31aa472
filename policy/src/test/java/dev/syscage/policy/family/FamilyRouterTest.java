package dev.syscage.policy.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.RuleRef;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link FamilyRouter} on hand-built policies: which siblings get the member's action, for which
 * arguments, and which are left alone. Decisions are read through the reference evaluator.
 */
class FamilyRouterTest {
    private static final int O_WRONLY = 1;
    private static final int O_CREAT = 0100;

    /** {@code (flags & O_ACCMODE) != O_RDONLY} on the syscall's own {@code flags}. */
    private static Cond writes(Arch arch, String syscall) {
        return new Cond.Test(param(arch, syscall, "flags"), 32, 3, Cond.Op.NE, 0);
    }

    private static Cond readOnly(Arch arch, String syscall) {
        return new Cond.Test(param(arch, syscall, "flags"), 32, 3, Cond.Op.EQ, 0);
    }

    private static int param(Arch arch, String syscall, String name) {
        return sys(arch, syscall).param(name).orElseThrow().index();
    }

    private static Syscall sys(Arch arch, String name) {
        return SyscallTable.of(arch).byName(name).orElseThrow();
    }

    private static RuleRef rule(int i) {
        return RuleRef.rule(i, null);
    }

    /** A policy for {@code arch}: {@code clauses} by syscall name, then {@code dflt}. */
    private static ArchPolicy arch(Arch arch, Action dflt, Map<String, List<Clause>> clauses) {
        TreeMap<Integer, List<Clause>> byNr = new TreeMap<>();
        clauses.forEach((n, cs) -> byNr.put(sys(arch, n).nr(), cs));
        return new ArchPolicy(
                arch,
                SyscallTable.of(arch),
                dflt,
                RuleRef.fallback(RuleRef.Kind.DEFAULT, null),
                Action.KILL,
                RuleRef.fallback(RuleRef.Kind.UNKNOWN, null),
                byNr);
    }

    private static Action decide(ArchPolicy ap, String syscall, long... args) {
        Policy p = new Policy(
                "t", "", List.of(ap), Action.KILL, RuleRef.fallback(RuleRef.Kind.BAD_ARCH, null), List.of(), Map.of());
        return ReferenceEvaluator.decide(
                        p,
                        SeccompData.of(sys(ap.arch(), syscall).nr(), ap.arch().auditArch(), args))
                .action();
    }

    private static long[] flagsArg(Arch arch, String syscall, long flags) {
        long[] a = new long[6];
        a[param(arch, syscall, "flags")] = flags;
        return a;
    }

    @Test
    void onX8664EveryOpenSiblingFollowsOpenatAndKeepsTheConditionWhereItHasFlags() {
        ArchPolicy before = arch(
                Arch.X86_64,
                Action.ALLOW,
                Map.of("openat", List.of(new Clause(writes(Arch.X86_64, "openat"), Action.trace(7), rule(0)))));
        FamilyRouting r = FamilyRouter.route(List.of(before), Families.shipped());
        ArchPolicy after = r.arches().get(0);

        assertEquals(Action.trace(7), decide(after, "open", flagsArg(Arch.X86_64, "open", O_WRONLY)));
        assertEquals(Action.ALLOW, decide(after, "open", flagsArg(Arch.X86_64, "open", 0)));
        // creat and openat2 have no 'flags': routed for every argument
        assertEquals(Action.trace(7), decide(after, "creat", 0, 0));
        assertEquals(Action.trace(7), decide(after, "openat2", 0, 0, 0, 0));
        assertEquals(Action.ALLOW, decide(after, "read"));
        assertEquals(Action.ALLOW, decide(after, "openat", flagsArg(Arch.X86_64, "openat", 0)));

        assertEquals(
                List.of(
                        "open on x86_64: trace 7, as rule #1 sends openat (family open)",
                        "openat2 on x86_64: trace 7, as rule #1 sends openat (family open); condition dropped: no 'flags'",
                        "creat on x86_64: trace 7, as rule #1 sends openat (family open); condition dropped: no 'flags'"),
                r.routes().stream().map(Route::describe).toList());
        Route open = r.routes().get(0);
        assertTrue(open.conditionKept());
        assertEquals(
                new RuleRef.Via("open", "openat"),
                after.clausesFor(sys(Arch.X86_64, "open").nr()).get(0).rule().via());
    }

    @Test
    void onAarch64OnlyOpenat2IsASibling() {
        ArchPolicy before = arch(
                Arch.AARCH64, Action.ALLOW, Map.of("openat", List.of(new Clause(Cond.TRUE, Action.NOTIFY, rule(0)))));
        FamilyRouting r = FamilyRouter.route(List.of(before), Families.shipped());
        assertEquals(List.of("openat2"), r.routes().stream().map(Route::sibling).toList());
        assertEquals(Action.NOTIFY, decide(r.arches().get(0), "openat2"));
    }

    @Test
    void onI386TheOldAndLargeFileStatCallsFollowStatx() {
        ArchPolicy before = arch(
                Arch.I386,
                Action.LOG,
                Map.of(
                        "statx", List.of(new Clause(Cond.TRUE, Action.NOTIFY, rule(0))),
                        "fstat64", List.of(new Clause(Cond.TRUE, Action.errno(38), rule(1)))));
        FamilyRouting r = FamilyRouter.route(List.of(before), Families.shipped());
        assertEquals(
                Set.of("stat", "lstat", "fstat", "stat64", "lstat64", "fstatat64", "oldstat", "oldlstat", "oldfstat"),
                Set.copyOf(r.routes().stream().map(Route::sibling).toList()));
        ArchPolicy after = r.arches().get(0);
        assertEquals(Action.NOTIFY, decide(after, "oldstat"));
        assertEquals(Action.errno(38), decide(after, "fstat64"), "denied for every argument: left alone");
    }

    @Test
    void theConditionMovesToTheSiblingsOwnArgumentPosition() {
        // clone's flags are argument 0 everywhere; on i386 the syscall is 32-bit, so width 32 stays
        Cond newUser = new Cond.Test(0, 32, 0x10000000L, Cond.Op.ANY_BITS, 0);
        CondTransfer.Result moved = CondTransfer.transfer(
                writes(Arch.X86_64, "openat"), sys(Arch.X86_64, "openat"), sys(Arch.X86_64, "open"));
        assertEquals(new Cond.Test(1, 32, 3, Cond.Op.NE, 0), moved.cond());
        CondTransfer.Result none = CondTransfer.transfer(newUser, sys(Arch.I386, "clone"), sys(Arch.I386, "clone3"));
        assertFalse(none.moved());
        assertEquals(Set.of("clone_flags"), none.missing());
        // same name, other width: i386 lchown's 16-bit user against fchownat's 32-bit one
        Cond rootUser = new Cond.Test(param(Arch.I386, "fchownat", "user"), 32, -1, Cond.Op.EQ, 0);
        assertEquals(
                Set.of("user"),
                CondTransfer.transfer(rootUser, sys(Arch.I386, "fchownat"), sys(Arch.I386, "lchown"))
                        .missing());
        assertTrue(CondTransfer.transfer(rootUser, sys(Arch.I386, "fchownat"), sys(Arch.I386, "lchown32"))
                .moved());
    }

    @Test
    void deniedArgumentsOfASiblingStayDenied() {
        Arch x = Arch.X86_64;
        ArchPolicy before = arch(
                x,
                Action.ALLOW,
                Map.of(
                        "openat", List.of(new Clause(Cond.TRUE, Action.NOTIFY, rule(1))),
                        "open",
                                List.of(new Clause(
                                        new Cond.Test(1, 32, O_CREAT, Cond.Op.ANY_BITS, 0), Action.errno(1), rule(0))),
                        "openat2", List.of(new Clause(Cond.TRUE, Action.errno(38), rule(2)))));
        ArchPolicy after =
                FamilyRouter.route(List.of(before), Families.shipped()).arches().get(0);
        assertEquals(Action.errno(1), decide(after, "open", flagsArg(x, "open", O_CREAT)));
        assertEquals(Action.NOTIFY, decide(after, "open", flagsArg(x, "open", O_WRONLY)));
        assertEquals(Action.errno(38), decide(after, "openat2"));
        assertSame(
                before.clausesFor(sys(x, "openat2").nr()),
                after.clausesFor(sys(x, "openat2").nr()));
    }

    @Test
    void whatTheMemberMayDoWithoutTheSupervisorTheSiblingMayToo() {
        Arch x = Arch.X86_64;
        // allow: [open, openat] when read-only; trace: [openat] (as the read-only profile has it)
        ArchPolicy before = arch(
                x,
                Action.errno(1),
                Map.of(
                        "openat",
                                List.of(
                                        new Clause(readOnly(x, "openat"), Action.ALLOW, rule(0)),
                                        new Clause(Cond.TRUE, Action.trace(0), rule(1))),
                        "open", List.of(new Clause(readOnly(x, "open"), Action.ALLOW, rule(0))),
                        "creat", List.of(new Clause(Cond.TRUE, Action.LOG, rule(2)))));
        ArchPolicy after =
                FamilyRouter.route(List.of(before), Families.shipped()).arches().get(0);
        assertEquals(Action.ALLOW, decide(after, "open", flagsArg(x, "open", 0)));
        assertEquals(Action.errno(1), decide(after, "open", flagsArg(x, "open", O_WRONLY)), "the default denies it");
        assertEquals(
                before.clausesFor(sys(x, "open").nr()),
                after.clausesFor(sys(x, "open").nr()));
        assertEquals(Action.trace(0), decide(after, "creat"), "creat has no flags: logged calls are all routed");
    }

    @Test
    void aRuleThatLetsARoutedMemberRunBeforeItsRouteLetsTheSiblingsItNamesRunToo() {
        Arch x = Arch.X86_64;
        // the read-only profile: allow: [open, openat] when read-only; trace: [open, openat, creat]
        ArchPolicy before = arch(
                x,
                Action.errno(1),
                Map.of(
                        "openat",
                                List.of(
                                        new Clause(readOnly(x, "openat"), Action.ALLOW, rule(0)),
                                        new Clause(Cond.TRUE, Action.trace(0), rule(1))),
                        "open",
                                List.of(
                                        new Clause(readOnly(x, "open"), Action.ALLOW, rule(0)),
                                        new Clause(Cond.TRUE, Action.trace(0), rule(1))),
                        "creat", List.of(new Clause(Cond.TRUE, Action.trace(0), rule(1))),
                        "openat2", List.of(new Clause(Cond.TRUE, Action.LOG, rule(2)))));
        FamilyRouting r = FamilyRouter.route(List.of(before), Families.shipped());
        ArchPolicy after = r.arches().get(0);
        // creat's route does not take open's read-only allow: openat, routed too, has it ahead of its route
        assertEquals(Action.ALLOW, decide(after, "open", flagsArg(x, "open", 0)));
        assertEquals(
                before.clausesFor(sys(x, "open").nr()),
                after.clausesFor(sys(x, "open").nr()));
        // openat2 is logged for every argument: routed (rule 2 lets no routed member run)
        assertEquals(Action.trace(0), decide(after, "openat2"));
        assertEquals(
                List.of("openat2"),
                r.routes().stream().map(Route::sibling).distinct().toList());
    }

    @Test
    void aSiblingsOwnRouteKeepsItsActionAndOnlyItsRunningPartsAreRouted() {
        Arch x = Arch.X86_64;
        ArchPolicy before = arch(
                x,
                Action.ALLOW,
                Map.of(
                        "execve", List.of(new Clause(Cond.TRUE, Action.trace(9), rule(0))),
                        "execveat",
                                List.of(new Clause(
                                        new Cond.Test(4, 32, 0x1000, Cond.Op.ANY_BITS, 0), Action.trace(3), rule(1)))));
        ArchPolicy after =
                FamilyRouter.route(List.of(before), Families.shipped()).arches().get(0);
        long[] emptyPath = {0, 0, 0, 0, 0x1000, 0};
        assertEquals(Action.trace(3), decide(after, "execveat", emptyPath));
        assertEquals(Action.trace(9), decide(after, "execveat"));
        assertEquals(
                "rule #1 via execve (family exec)",
                after.clausesFor(sys(x, "execveat").nr()).get(1).rule().describe());
    }

    @Test
    void aRouteBehindAnUnconditionalRuleIsNoRoute() {
        ArchPolicy before = arch(
                Arch.X86_64,
                Action.ALLOW,
                Map.of(
                        "openat",
                        List.of(
                                new Clause(Cond.TRUE, Action.ALLOW, rule(0)),
                                new Clause(Cond.TRUE, Action.NOTIFY, rule(1)))));
        FamilyRouting r = FamilyRouter.route(List.of(before), Families.shipped());
        assertEquals(List.of(), r.routes());
        assertSame(before, r.arches().get(0));
    }
}
