package dev.syscage.policy.validate;

import static dev.syscage.policy.validate.PolicyLoaderTest.constant;
import static dev.syscage.policy.validate.PolicyLoaderTest.load;
import static dev.syscage.policy.validate.PolicyLoaderTest.loadWithWarnings;
import static dev.syscage.policy.validate.PolicyLoaderTest.nr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.SuperviseDecision;
import dev.syscage.policy.model.SuperviseRule;
import dev.syscage.policy.model.Supervision;
import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.policy.model.Supervision.Verdict;
import dev.syscage.policy.path.PathPattern;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code supervise:} section loaded from YAML: what the model holds, how
 * {@link Supervision#decide} picks the first matching rule, per-architecture resolution of
 * names and conditions, and the warning for supervise rules the filter never reaches.
 */
class SuperviseLoaderTest {
    private static final long[] NO_ARGS = new long[6];

    @TempDir
    Path dir;

    private static final String EXAMPLE = """
            version: 1
            arch: x86_64
            default: allow
            rules:
              - action: trace
                syscalls: [openat, open, openat2, execve, execveat]
            supervise:
              log: denied
              rules:
                - syscalls: [openat, open, openat2]
                  path: ["/usr/**", "/lib/**", "/etc/ld.so.cache", "/tmp/**"]
                  decision: allow
                - syscalls: [execve, execveat]
                  path: ["/usr/bin/*"]
                  decision: allow
                - syscalls: [openat, open]
                  when: "(flags & O_ACCMODE) != O_RDONLY"
                  decision: errno EACCES
                - syscalls: [execve, execveat]
                  decision: kill
              default: errno 1
            """;

    private static long[] args(int index, long value) {
        long[] a = new long[6];
        a[index] = value;
        return a;
    }

    private static Verdict decide(Policy p, Arch arch, String syscall, long[] args, String path) {
        return p.supervision().decide(arch, nr(arch, syscall), args, Optional.ofNullable(path));
    }

    @Test
    void theSectionIsReadIntoTheModel() {
        Supervision s = load(EXAMPLE).supervision();
        assertEquals(LogLevel.DENIED, s.log());
        assertEquals(SuperviseDecision.errno(1), s.defaultDecision());
        assertEquals("p.yaml:7:1", s.pos().toString());
        assertEquals(4, s.rules().size());

        SuperviseRule first = s.rules().get(0);
        assertEquals(0, first.index());
        assertEquals("p.yaml:10:7", first.pos().toString());
        assertEquals(List.of("openat", "open", "openat2"), first.names());
        // creat is not named: it comes in as a sibling of the open family (a path rule covers it, it names a path)
        assertEquals(
                Set.of(
                        nr(Arch.X86_64, "openat"),
                        nr(Arch.X86_64, "open"),
                        nr(Arch.X86_64, "openat2"),
                        nr(Arch.X86_64, "creat")),
                first.syscalls().numbers(Arch.X86_64));
        assertEquals(
                List.of("/usr/**", "/lib/**", "/etc/ld.so.cache", "/tmp/**"),
                first.paths().stream().map(PathPattern::text).toList());
        assertNull(first.when());
        assertEquals(SuperviseDecision.ALLOW, first.decision());

        SuperviseRule third = s.rules().get(2);
        assertEquals("(flags & O_ACCMODE) != O_RDONLY", third.when());
        assertEquals(List.of(), third.paths());
        assertEquals(SuperviseDecision.errno(13), third.decision());
        assertEquals(SuperviseDecision.KILL, s.rules().get(3).decision());
    }

    @Test
    void theFirstMatchingRuleDecides() {
        Policy p = load(EXAMPLE);
        long rdonly = constant(Arch.X86_64, "O_RDONLY");
        long wronly = constant(Arch.X86_64, "O_WRONLY");
        Verdict lib = decide(p, Arch.X86_64, "openat", args(2, wronly), "/usr/lib/libc.so.6");
        assertEquals(
                new Verdict(
                        SuperviseDecision.ALLOW, p.supervision().rules().get(0).pos(), 0),
                lib);
        assertEquals("supervise rule #1 (p.yaml:10)", lib.describe());

        // not under an allowed path: the when of rule #3 decides, by the access mode
        Verdict write = decide(p, Arch.X86_64, "openat", args(2, wronly), "/etc/passwd");
        assertEquals(SuperviseDecision.errno(13), write.decision());
        assertEquals(2, write.ruleIndex());
        Verdict read = decide(p, Arch.X86_64, "openat", args(2, rdonly), "/etc/passwd");
        assertTrue(read.isDefault());
        assertEquals(SuperviseDecision.errno(1), read.decision());
        assertNull(read.rulePos());
        assertEquals("supervise default", read.describe());

        // open has flags in argument 1, not 2
        assertEquals(
                2,
                decide(p, Arch.X86_64, "open", args(1, wronly), "/etc/passwd").ruleIndex());
        assertTrue(
                decide(p, Arch.X86_64, "open", args(2, wronly), "/etc/passwd").isDefault());

        assertEquals(1, decide(p, Arch.X86_64, "execve", NO_ARGS, "/usr/bin/ls").ruleIndex());
        assertEquals(
                3,
                decide(p, Arch.X86_64, "execveat", NO_ARGS, "/usr/bin/sub/ls").ruleIndex());
        assertEquals(
                SuperviseDecision.KILL,
                decide(p, Arch.X86_64, "execve", NO_ARGS, "/bin/sh").decision());
        assertTrue(decide(p, Arch.X86_64, "getpid", NO_ARGS, null).isDefault());
    }

    @Test
    void aRuleWithPathsNeverMatchesACallWithoutAPath() {
        Policy p = load(EXAMPLE);
        // the path could not be read: rule #1 is skipped, rule #3 (no path) still applies
        long wronly = constant(Arch.X86_64, "O_WRONLY");
        assertEquals(2, decide(p, Arch.X86_64, "openat", args(2, wronly), null).ruleIndex());
        assertEquals(3, decide(p, Arch.X86_64, "execve", NO_ARGS, null).ruleIndex());
    }

    @Test
    void pathsAreMatchedAfterFolding() {
        Policy p = load(EXAMPLE);
        long wronly = constant(Arch.X86_64, "O_WRONLY");
        assertEquals(
                2,
                decide(p, Arch.X86_64, "openat", args(2, wronly), "/usr/../etc/shadow")
                        .ruleIndex());
        assertEquals(
                0,
                decide(p, Arch.X86_64, "openat", args(2, wronly), "/etc/../usr//lib/x")
                        .ruleIndex());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> decide(p, Arch.X86_64, "openat", NO_ARGS, "usr/lib"));
        assertEquals("not an absolute path: 'usr/lib'", e.getMessage());
    }

    @Test
    void namesAndConditionsAreResolvedPerArchitecture() {
        Policy p = load("""
                version: 1
                arch: [x86_64, aarch64]
                default: trace
                groups:
                  opens: [open, openat]
                supervise:
                  rules:
                    - syscalls: ["@opens"]
                      when: "flags & O_DIRECTORY"
                      decision: errno ENOTDIR
                """);
        SuperviseRule r = p.supervision().rules().get(0);
        assertEquals(
                Set.of(nr(Arch.X86_64, "open"), nr(Arch.X86_64, "openat")),
                r.syscalls().numbers(Arch.X86_64));
        assertEquals(Set.of(nr(Arch.AARCH64, "openat")), r.syscalls().numbers(Arch.AARCH64), "aarch64 has no open");
        assertFalse(r.syscalls().contains(Arch.I386, nr(Arch.X86_64, "openat")));
        long x86Dir = constant(Arch.X86_64, "O_DIRECTORY");
        long armDir = constant(Arch.AARCH64, "O_DIRECTORY");
        assertTrue(x86Dir != armDir, "the test needs a constant that differs between the two");
        assertEquals(0, decide(p, Arch.X86_64, "openat", args(2, x86Dir), "/x").ruleIndex());
        assertEquals(0, decide(p, Arch.AARCH64, "openat", args(2, armDir), "/x").ruleIndex());
        assertTrue(decide(p, Arch.AARCH64, "openat", args(2, x86Dir), "/x").isDefault());
        assertTrue(decide(p, Arch.I386, "openat", args(2, x86Dir), "/x").isDefault(), "i386 is not in the policy");
    }

    @Test
    void aPolicyWithoutTheSectionHasNone() {
        Policy p = load("version: 1\narch: x86_64\ndefault: trace\n");
        assertSame(Supervision.NONE, p.supervision());
        Verdict v = decide(p, Arch.X86_64, "openat", NO_ARGS, "/etc/shadow");
        assertEquals(SuperviseDecision.ALLOW, v.decision());
        assertTrue(v.isDefault());
    }

    @Test
    void omittedSettingsDefaultToLogAllAndAllow() {
        Supervision s = load("""
                version: 1
                arch: x86_64
                default: trace
                supervise:
                  rules:
                    - {syscalls: [unlink], decision: errno EPERM}
                """).supervision();
        assertEquals(LogLevel.ALL, s.log());
        assertEquals(SuperviseDecision.ALLOW, s.defaultDecision());
    }

    @Test
    void ruleForASyscallTheFilterNeverSendsToTheSupervisorIsWarnedAbout() {
        LoadResult r = loadWithWarnings("""
                version: 1
                arch: [x86_64, aarch64]
                default: errno EPERM
                rules:
                  - action: allow
                    syscalls: [close]
                  - action: trace
                    syscalls: [openat]
                    when: "flags & O_CREAT"
                  - action: trace
                    syscalls: [close]
                  - action: notify
                    syscalls: [execve]
                  - action: errno EACCES
                    syscalls: [unlink]
                    when: "pathname == 0"
                supervise:
                  rules:
                    - syscalls: [openat, read, close]
                      decision: allow
                    - syscalls: ["@basic-io", execve, unlink]
                      decision: allow
                """);
        assertEquals(
                List.of(
                        "p.yaml:11:16: warning: 'close' is already decided by rule #1 (p.yaml:5), so this rule never applies to it",
                        "p.yaml:19:26: warning: supervise rule for 'read' never runs: no rule sends read to the supervisor "
                                + "(action trace or notify)",
                        "p.yaml:19:32: warning: supervise rule for 'close' never runs: no rule sends close to the supervisor "
                                + "(action trace or notify)",
                        "p.yaml:21:18: warning: supervise rule for '@basic-io' never runs: no rule sends any of its syscalls "
                                + "to the supervisor (action trace or notify)",
                        "p.yaml:21:39: warning: supervise rule for 'unlink' never runs: no rule sends unlink to the supervisor "
                                + "(action trace or notify)"),
                r.warnings().stream().map(Diagnostic::header).toList());
    }

    @Test
    void aTraceDefaultOrAConditionalRuleKeepsASyscallReachable() {
        LoadResult r = loadWithWarnings("""
                version: 1
                arch: x86_64
                default: trace 7
                rules:
                  - action: allow
                    syscalls: [read]
                    when: "fd == 0"
                supervise:
                  rules:
                    - {syscalls: [read, write], decision: allow}
                """);
        assertEquals(List.of(), r.warnings());
    }

    private Policy loadFiles(String top, String... nameAndYaml) throws IOException {
        for (int i = 0; i < nameAndYaml.length; i += 2) {
            Files.writeString(dir.resolve(nameAndYaml[i]), nameAndYaml[i + 1]);
        }
        return PolicyLoader.load(dir.resolve(top), top, new LoadOptions(List.of(), List.of()))
                .policy();
    }

    private static List<String> ruleOrigins(Supervision s) {
        return s.rules().stream()
                .map(r -> r.index() + " " + r.pos().file() + ":" + String.join(",", r.names()))
                .toList();
    }

    @Test
    void includedRulesFollowTheIncludersDepthFirstAndSettingsComeFromTheTopFile() throws IOException {
        Policy p = loadFiles(
                "top.yaml",
                "top.yaml",
                """
                        version: 1
                        arch: x86_64
                        default: trace
                        include: [a.yaml, b.yaml]
                        supervise:
                          log: decisions
                          default: errno EPERM
                          rules:
                            - {syscalls: [openat], path: ["/top/**"], decision: allow}
                        """,
                "a.yaml",
                """
                        version: 1
                        include: [c.yaml]
                        supervise:
                          log: none
                          default: kill
                          rules:
                            - {syscalls: [openat], decision: errno EACCES}
                        """,
                "c.yaml",
                "version: 1\nsupervise:\n  rules:\n    - {syscalls: [unlink], decision: kill}\n",
                "b.yaml",
                "version: 1\nsupervise:\n  rules:\n    - {syscalls: [openat, unlink], decision: allow}\n");
        Supervision s = p.supervision();
        assertEquals(
                List.of("0 top.yaml:openat", "1 a.yaml:openat", "2 c.yaml:unlink", "3 b.yaml:openat,unlink"),
                ruleOrigins(s));
        assertEquals(LogLevel.DECISIONS, s.log());
        assertEquals(SuperviseDecision.errno(1), s.defaultDecision());
        assertEquals("top.yaml:5:1", s.pos().toString());
        assertEquals(0, decide(p, Arch.X86_64, "openat", NO_ARGS, "/top/x").ruleIndex());
        assertEquals(
                new Verdict(SuperviseDecision.errno(13), s.rules().get(1).pos(), 1),
                decide(p, Arch.X86_64, "openat", NO_ARGS, "/etc/passwd"));
        assertEquals(
                SuperviseDecision.KILL,
                decide(p, Arch.X86_64, "unlink", NO_ARGS, "/tmp/x").decision());
        assertEquals(
                SuperviseDecision.errno(1),
                decide(p, Arch.X86_64, "getpid", NO_ARGS, null).decision());
    }

    @Test
    void rulesOfAnIncludedFileWorkWithoutASectionInTheTopFile() throws IOException {
        Policy p = loadFiles(
                "top.yaml",
                "top.yaml",
                "version: 1\narch: x86_64\ndefault: trace\ninclude: [inc.yaml]\n",
                "inc.yaml",
                "version: 1\nsupervise:\n  log: none\n  default: kill\n  rules:\n"
                        + "    - {syscalls: [unlink], decision: errno EPERM}\n");
        Supervision s = p.supervision();
        assertEquals(LogLevel.ALL, s.log(), "log comes from the top file only");
        assertEquals(SuperviseDecision.ALLOW, s.defaultDecision(), "default comes from the top file only");
        assertEquals("inc.yaml:2:1", s.pos().toString());
        assertEquals(List.of("0 inc.yaml:unlink"), ruleOrigins(s));
    }

    @Test
    void theExampleInTheReferenceLoadsWithoutWarnings() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "policy.md"));
        int section = doc.indexOf("## Supervise rules");
        int start = doc.indexOf("```yaml\n", section) + "```yaml\n".length();
        String example = doc.substring(start, doc.indexOf("```", start));
        LoadResult r = loadWithWarnings("version: 1\narch: x86_64\ndefault: allow\n" + example);
        assertEquals(List.of(), r.warnings());
        Policy p = r.policy();
        assertEquals(4, p.supervision().rules().size());
        assertEquals(
                SuperviseDecision.errno(13),
                decide(p, Arch.X86_64, "openat", NO_ARGS, "/etc/shadow").decision());
        assertEquals(
                SuperviseDecision.ALLOW,
                decide(p, Arch.X86_64, "openat", NO_ARGS, "/etc/ld.so.cache").decision());
    }
}
