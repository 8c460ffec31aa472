package dev.syscage.policy.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Constants;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.eval.Decision;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.load.Origin;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.RuleRef;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Loading whole policies: fallbacks, rule order, per-architecture resolution of names and
 * conditions, widths, warnings. Decisions are checked through the reference evaluator, which
 * is how the rest of syscage reads the model.
 */
class PolicyLoaderTest {
    private static final LoadOptions OPTIONS = new LoadOptions(List.of(), List.of());

    static Policy load(String yaml) {
        return PolicyLoader.loadString("p.yaml", yaml, OPTIONS);
    }

    static LoadResult loadWithWarnings(String yaml) {
        return PolicyLoader.load(new Origin.Text("p.yaml", yaml), OPTIONS, dev.syscage.policy.group.Groups.shipped());
    }

    static int nr(Arch arch, String name) {
        return SyscallTable.of(arch).byName(name).orElseThrow().nr();
    }

    static Decision decide(Policy p, Arch arch, String syscall, long... args) {
        return ReferenceEvaluator.decide(p, SeccompData.of(nr(arch, syscall), arch.auditArch(), args));
    }

    static long constant(Arch arch, String name) {
        return Constants.of(arch).value(name).orElseThrow();
    }

    @Test
    void fallbacksComeFromTheTopFileWithTheirPositions() {
        Policy p = load("""
                version: 1
                arch: x86_64
                default: errno EPERM
                unknown: errno ENOSYS
                bad_arch: kill_thread
                """);
        ArchPolicy x = p.forArch(Arch.X86_64).orElseThrow();
        assertEquals(Action.errno(1), x.defaultAction());
        assertEquals("default (p.yaml:3)", x.defaultRef().describe());
        assertEquals(Action.errno(38), x.unknownAction());
        assertEquals("unknown (p.yaml:4)", x.unknownRef().describe());
        assertEquals(Action.KILL_THREAD, p.badArchAction());
        assertEquals("bad_arch (p.yaml:5)", p.badArchRef().describe());
        assertEquals("p", p.name());
        assertEquals(Map.of(), p.frequency());
    }

    @Test
    void unknownDefaultsToTheDefaultActionAndBadArchToKill() {
        Policy p = load("version: 1\narch: x86_64\ndefault: log\nname: web\ndescription: a web server\n");
        ArchPolicy x = p.arches().get(0);
        assertEquals(Action.LOG, x.unknownAction());
        assertEquals(new RuleRef(RuleRef.Kind.UNKNOWN, -1, x.defaultRef().pos()), x.unknownRef());
        assertEquals(Action.KILL, p.badArchAction());
        assertNull(p.badArchRef().pos());
        assertEquals("web", p.name());
        assertEquals("a web server", p.description());
        assertEquals(Action.LOG, decide(p, Arch.X86_64, "read").action());
        assertEquals(
                Action.LOG,
                ReferenceEvaluator.decide(p, SeccompData.of(-1, Arch.X86_64.auditArch()))
                        .action());
        assertEquals(
                Action.KILL,
                ReferenceEvaluator.decide(p, SeccompData.of(0, Arch.AARCH64.auditArch()))
                        .action());
    }

    @Test
    void everyActionSpelling() {
        Policy p = load("""
                version: 1
                arch: x86_64
                default: kill_process
                rules:
                  - {action: allow, syscalls: [read]}
                  - {action: log, syscalls: [write]}
                  - {action: errno 13, syscalls: [close]}
                  - {action: errno EACCES, syscalls: [dup]}
                  - {action: kill, syscalls: [dup2]}
                  - {action: kill_thread, syscalls: [dup3]}
                  - {action: trap, syscalls: [fsync]}
                  - {action: trap 7, syscalls: [fdatasync]}
                  - {action: trace 65535, syscalls: [sync]}
                  - {action: notify, syscalls: [openat]}
                  - {action: errno 0, syscalls: [getpid]}
                """);
        List<String> actions =
                p.rules().stream().map(r -> r.action().toString()).toList();
        assertEquals(
                List.of(
                        "allow",
                        "log",
                        "errno 13",
                        "errno 13",
                        "kill",
                        "kill_thread",
                        "trap 0",
                        "trap 7",
                        "trace 65535",
                        "notify",
                        "errno 0"),
                actions);
        assertEquals(Action.KILL, p.arches().get(0).defaultAction());
    }

    @Test
    void firstMatchingRuleWinsAndAFalseConditionFallsThrough() {
        Policy p = load("""
                version: 1
                arch: x86_64
                default: errno EPERM
                rules:
                  - action: errno EACCES
                    syscalls: [openat]
                    when: "(flags & O_ACCMODE) != O_RDONLY"
                  - action: allow
                    syscalls: [openat, read]
                  - action: kill
                    syscalls: [read]
                """);
        long wronly = constant(Arch.X86_64, "O_WRONLY");
        assertEquals(
                Action.errno(13), decide(p, Arch.X86_64, "openat", 0, 0, wronly).action());
        Decision rdonly = decide(p, Arch.X86_64, "openat", 0, 0, 0);
        assertEquals(Action.ALLOW, rdonly.action());
        assertEquals("rule #2 (p.yaml:8)", rdonly.rule().describe());
        assertEquals(Action.ALLOW, decide(p, Arch.X86_64, "read").action());
        assertEquals(Action.errno(1), decide(p, Arch.X86_64, "write").action());
    }

    @Test
    void theSameConditionResolvesPerSyscallAndPerArchitecture() {
        Policy p = load("""
                version: 1
                arch: [x86_64, aarch64]
                default: allow
                rules:
                  - action: errno ENOTDIR
                    syscalls: [open, openat]
                    when: "flags & O_DIRECTORY"
                """);
        ArchPolicy x86 = p.forArch(Arch.X86_64).orElseThrow();
        ArchPolicy arm = p.forArch(Arch.AARCH64).orElseThrow();
        long dirX86 = constant(Arch.X86_64, "O_DIRECTORY");
        long dirArm = constant(Arch.AARCH64, "O_DIRECTORY");
        assertTrue(dirX86 != dirArm, "the test needs O_DIRECTORY to differ between the arches");
        assertEquals(List.of(new Cond.Test(1, 32, dirX86, Cond.Op.ANY_BITS, 0)), conds(x86, "open"));
        assertEquals(List.of(new Cond.Test(2, 32, dirX86, Cond.Op.ANY_BITS, 0)), conds(x86, "openat"));
        assertEquals(List.of(new Cond.Test(2, 32, dirArm, Cond.Op.ANY_BITS, 0)), conds(arm, "openat"));
        // open does not exist on aarch64: skipped there, no clause and no warning (it exists on x86_64)
        assertTrue(SyscallTable.of(Arch.AARCH64).byName("open").isEmpty());
        assertEquals(
                Action.errno(20),
                decide(p, Arch.AARCH64, "openat", 0, 0, dirArm).action());
        assertEquals(
                Action.ALLOW, decide(p, Arch.AARCH64, "openat", 0, 0, dirX86).action());
    }

    static List<Cond> conds(ArchPolicy ap, String syscall) {
        return ap.clausesFor(nr(ap.arch(), syscall)).stream().map(Clause::when).toList();
    }

    static Cond onlyCond(String when, String syscall) {
        Policy p = load("version: 1\narch: x86_64\ndefault: allow\nrules:\n  - action: kill\n    syscalls: [" + syscall
                + "]\n    when: \"" + when + "\"\n");
        List<Cond> cs = conds(p.arches().get(0), syscall);
        assertEquals(1, cs.size());
        return cs.get(0);
    }

    @Test
    void conditionsResolveToTests() {
        assertEquals(new Cond.Test(0, 32, -1L, Cond.Op.NE, 0), onlyCond("fd", "close"));
        assertEquals(new Cond.Test(0, 32, -1L, Cond.Op.EQ, 3), onlyCond("fd == 3", "close"));
        assertEquals(new Cond.Test(0, 32, -1L, Cond.Op.EQ, 3), onlyCond("arg0 == 3", "close"));
        assertEquals(new Cond.Test(2, 64, -1L, Cond.Op.LE, 4096), onlyCond("count <= 4096", "read"));
        assertEquals(new Cond.Test(2, 32, 3, Cond.Op.EQ, 1), onlyCond("(flags & O_ACCMODE) == O_WRONLY", "openat"));
        assertEquals(new Cond.Not(new Cond.Test(0, 32, -1L, Cond.Op.NE, 0)), onlyCond("!fd", "close"));
        assertEquals(
                new Cond.Or(List.of(
                        new Cond.Test(1, 32, -1L, Cond.Op.EQ, 0x5401), new Cond.Test(1, 32, -1L, Cond.Op.EQ, 0x5413))),
                onlyCond("cmd in {TCGETS, TIOCGWINSZ}", "ioctl"));
        assertEquals(
                new Cond.And(
                        List.of(new Cond.Test(0, 32, -1L, Cond.Op.GT, 2), new Cond.Test(2, 64, -1L, Cond.Op.LT, 10))),
                onlyCond("fd > 2 && count < 10", "read"));
        assertEquals(new Cond.Test(0, 32, -1L, Cond.Op.EQ, 13), onlyCond("fd == EACCES", "close"));
        assertEquals(
                new Cond.Test(2, 32, -1L, Cond.Op.EQ, 0x80001), onlyCond("flags == O_WRONLY | O_CLOEXEC", "openat"));
        assertEquals(
                new Cond.Test(2, 32, -1L, Cond.Op.EQ, ~0x40L & 0xFFFFFFFFL), onlyCond("flags == ~O_CREAT", "openat"));
    }

    @Test
    void manPageNamesOfSomeParametersWorkToo() {
        assertEquals(new Cond.Test(1, 32, -1L, Cond.Op.EQ, 0x5401), onlyCond("request == TCGETS", "ioctl"));
        assertEquals(new Cond.Test(0, 32, -1L, Cond.Op.EQ, 2), onlyCond("domain == AF_INET", "socket"));
        assertEquals(new Cond.Test(0, 32, -1L, Cond.Op.EQ, 2), onlyCond("family == AF_INET", "socket"));
        assertEquals(
                new Cond.Test(0, 64, 0x10000000L, Cond.Op.ANY_BITS, 0), onlyCond("flags & CLONE_NEWUSER", "clone"));
        assertEquals(new Cond.Test(0, 32, -1L, Cond.Op.EQ, 0xFFFFFF9CL), onlyCond("dirfd == AT_FDCWD", "openat"));
        // ptrace has a parameter really called 'request': the alias for ioctl does not touch it
        assertEquals(new Cond.Test(0, 64, -1L, Cond.Op.EQ, 16), onlyCond("request == PTRACE_ATTACH", "ptrace"));
    }

    @Test
    void aConstantOnTheLeftIsFlipped() {
        assertEquals(new Cond.Test(0, 32, -1L, Cond.Op.GT, 0), onlyCond("0 < fd", "close"));
        assertEquals(new Cond.Test(2, 64, -1L, Cond.Op.LE, 4096), onlyCond("4096 >= count", "read"));
        assertEquals(new Cond.Test(2, 32, 3, Cond.Op.NE, 0), onlyCond("O_RDONLY != (flags & O_ACCMODE)", "openat"));
        assertEquals(new Cond.Test(2, 32, 0x40, Cond.Op.ANY_BITS, 0), onlyCond("O_CREAT & flags", "openat"));
    }

    @Test
    void valuesAreCutToTheArgumentWidthWhenTheyFit() {
        // -1 fits 32 bits sign-extended: it is 0xffffffff to the kernel's int
        assertEquals(new Cond.Test(0, 32, -1L, Cond.Op.EQ, 0xFFFFFFFFL), onlyCond("dfd == -1", "openat"));
        assertEquals(new Cond.Test(0, 32, -1L, Cond.Op.EQ, 0x80000000L), onlyCond("fd == 0x80000000", "close"));
        assertEquals(new Cond.Test(1, 16, -1L, Cond.Op.EQ, 0755), onlyCond("mode == 0755", "chmod"));
        assertEquals(new Cond.Test(2, 64, -1L, Cond.Op.EQ, -1L), onlyCond("count == 0xffffffffffffffff", "read"));
        // masks are cut silently
        assertEquals(new Cond.Test(2, 32, 3, Cond.Op.EQ, 1), onlyCond("(flags & 0xffffffff00000003) == 1", "openat"));
    }

    @Test
    void aValueThatDoesNotFitIsAnErrorNamingTheWidth() {
        PolicyException e = assertThrows(PolicyException.class, () -> onlyCond("fd == -2147483649", "close"));
        assertEquals(
                "p.yaml:7:18: error: value -2147483649 does not fit in 32 bits, the width of 'fd' (unsigned int) of close; "
                        + "a negative value must be at least -2147483648",
                e.diagnostics().get(0).header());
    }

    @Test
    void longIsThirtyTwoBitsOnI386() {
        Policy p = load("version: 1\narch: i386\ndefault: allow\nrules:\n  - action: kill\n    syscalls: [ioctl]\n"
                + "    when: \"arg == 0xffffffff\"\n");
        assertEquals(
                List.of(new Cond.Test(2, 32, -1L, Cond.Op.EQ, 0xFFFFFFFFL)),
                conds(p.arches().get(0), "ioctl"));
        assertThrows(
                PolicyException.class,
                () -> PolicyLoader.loadString(
                        "p.yaml",
                        "version: 1\narch: i386\ndefault: allow\nrules:\n  - action: kill\n    syscalls: [ioctl]\n"
                                + "    when: \"arg == 0x100000000\"\n",
                        OPTIONS));
    }

    @Test
    void groupsExpandAndNamesAreDeduplicatedWithinARule() {
        Policy p = load("""
                version: 1
                arch: x86_64
                default: kill
                groups:
                  mine: [read, "@basic-io", getpid]
                rules:
                  - action: allow
                    syscalls: ["@mine", read]
                """);
        ArchPolicy x = p.arches().get(0);
        assertEquals(1, x.clausesFor(nr(Arch.X86_64, "read")).size());
        assertEquals(Action.ALLOW, decide(p, Arch.X86_64, "getpid").action());
        assertEquals(Action.ALLOW, decide(p, Arch.X86_64, "dup3").action());
        assertEquals(List.of("@mine", "read"), p.rules().get(0).syscalls());
    }

    @Test
    void ruleSummariesListEveryRule() {
        Policy p = load("""
                version: 1
                arch: x86_64
                default: kill
                rules:
                  - action: allow
                    syscalls: [read, write]
                    comment: the basics
                  - action: errno EPERM
                    syscalls: [openat]
                    when: "flags & O_CREAT"
                """);
        assertEquals(2, p.rules().size());
        Policy.RuleSummary second = p.rules().get(1);
        assertEquals(1, second.index());
        assertEquals("p.yaml:8:5", second.pos().toString());
        assertEquals("flags & O_CREAT", second.when());
        assertNull(p.rules().get(0).when());
    }

    @Test
    void archOverrideReplacesThePolicysArchesButTheirNamesAreStillChecked() {
        String yaml = "version: 1\narch: [x86_64]\ndefault: allow\n";
        Policy p = PolicyLoader.loadString("p.yaml", yaml, OPTIONS.withArches(List.of(Arch.AARCH64, Arch.I386)));
        assertEquals(
                List.of(Arch.AARCH64, Arch.I386),
                p.arches().stream().map(ArchPolicy::arch).toList());
        assertThrows(
                PolicyException.class,
                () -> PolicyLoader.loadString(
                        "p.yaml",
                        "version: 1\narch: [sparc]\ndefault: allow\n",
                        OPTIONS.withArches(List.of(Arch.X86_64))));
    }

    @Test
    void archAcceptsAliasesAndOneStringAndDefaultsToTheNativeOne() {
        assertEquals(
                List.of(Arch.AARCH64),
                load("version: 1\narch: arm64\ndefault: allow\n").arches().stream()
                        .map(ArchPolicy::arch)
                        .toList());
        assertEquals(
                List.of(Arch.nativeArch()),
                load("version: 1\ndefault: allow\n").arches().stream()
                        .map(ArchPolicy::arch)
                        .toList());
    }

    @Test
    void frequencyIsKept() {
        Policy p = load("version: 1\narch: x86_64\ndefault: allow\nfrequency: {read: 100000, clone: 500}\n");
        assertEquals(Map.of("read", 100000L, "clone", 500L), p.frequency());
    }

    @Test
    void warningsForShadowedItemsDuplicatesAndOtherArchSyscalls() {
        LoadResult r = loadWithWarnings("""
                version: 1
                arch: aarch64
                default: kill
                rules:
                  - action: allow
                    syscalls: [read, "@basic-io"]
                  - action: errno EPERM
                    syscalls: [read, write, open, openat]
                  - action: log
                    syscalls: ["@basic-io", openat, openat]
                """);
        assertEquals(
                List.of(
                        "p.yaml:8:16: warning: 'read' is already decided by rule #1 (p.yaml:5), so this rule never applies to it",
                        "p.yaml:8:22: warning: 'write' is already decided by rule #1 (p.yaml:5), so this rule never applies to it",
                        "p.yaml:8:29: warning: syscall 'open' does not exist on aarch64",
                        "p.yaml:10:16: warning: every syscall of '@basic-io' is already decided by earlier rules without a "
                                + "condition (such as rule #1 (p.yaml:5)); this item has no effect",
                        "p.yaml:10:29: warning: 'openat' is already decided by rule #2 (p.yaml:7), so this rule never applies to it",
                        "p.yaml:10:37: warning: 'openat' is listed twice in this rule"),
                r.warnings().stream().map(Diagnostic::header).toList());
    }

    @Test
    void aConditionalRuleDoesNotShadow() {
        LoadResult r = loadWithWarnings("""
                version: 1
                arch: x86_64
                default: kill
                rules:
                  - {action: allow, syscalls: [read], when: "fd == 0"}
                  - {action: errno EBADF, syscalls: [read]}
                """);
        assertEquals(List.of(), r.warnings());
    }

    @Test
    void errorsAreCollectedAndThrownOnceInSourceOrder() {
        PolicyException e = assertThrows(PolicyException.class, () -> load("""
                version: 1
                arch: x86_64
                default: errno EPRM
                rules:
                  - {action: allow, syscalls: [raed]}
                  - {action: allow, syscalls: [close], when: "fd =="}
                """));
        assertEquals(
                List.of(
                        "p.yaml:3:16: error: unknown errno name 'EPRM' (did you mean 'EPERM'?)",
                        "p.yaml:5:32: error: unknown syscall 'raed' (did you mean 'read'?)",
                        "p.yaml:6:52: error: expected an argument, a constant or a number, got the end of the condition"),
                e.diagnostics().stream().map(Diagnostic::header).toList());
    }

    @Test
    void anArgumentMissingFromSomeSyscallsOfARuleIsOneErrorNamingThem() {
        PolicyException e = assertThrows(PolicyException.class, () -> load("""
                version: 1
                arch: [x86_64, aarch64]
                default: kill
                rules:
                  - {action: allow, syscalls: [read, close, fsync, dup, syncfs, fchdir], when: "count == 1"}
                """));
        assertEquals(
                List.of("p.yaml:5:81: error: argument 'count' is not a parameter of close(fd), fsync(fd), "
                        + "dup(fildes) and 2 more"),
                e.diagnostics().stream().map(Diagnostic::header).toList());
    }
}
