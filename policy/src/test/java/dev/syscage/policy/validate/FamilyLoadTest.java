package dev.syscage.policy.validate;

import static dev.syscage.policy.validate.PolicyLoaderTest.constant;
import static dev.syscage.policy.validate.PolicyLoaderTest.decide;
import static dev.syscage.policy.validate.PolicyLoaderTest.load;
import static dev.syscage.policy.validate.PolicyLoaderTest.loadWithWarnings;
import static dev.syscage.policy.validate.PolicyLoaderTest.nr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.Interpreter;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.family.Families;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.SuperviseDecision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Syscall families through the loader: the policy every consumer sees is the routed one (the
 * reference evaluator, the compiled program and {@code check}'s rule description agree), supervise
 * rules cover siblings, and the warning for a sibling a supervise rule's {@code when} cannot
 * reach. Also: the shipped profiles load without warnings and keep their meaning.
 */
class FamilyLoadTest {
    private static final Path PROFILES = Path.of("..", "profiles");

    private static final String OPENAT_WRITES = """
            version: 1
            arch: [x86_64, i386, aarch64]
            default: allow
            rules:
              - action: notify
                syscalls: [openat]
                when: "(flags & O_ACCMODE) != O_RDONLY"
              - action: errno ENOSYS
                syscalls: [clone3]
            supervise:
              rules:
                - syscalls: [openat]
                  when: "(flags & O_ACCMODE) != O_RDONLY"
                  decision: errno EACCES
                - syscalls: [openat]
                  path: ["/etc/**"]
                  decision: errno EPERM
            """;

    private static long[] at(int index, long value) {
        long[] a = new long[6];
        a[index] = value;
        return a;
    }

    @Test
    void theRoutedPolicyIsWhatTheEvaluatorSeesAndCheckNamesTheRule() {
        Policy p = load(OPENAT_WRITES);
        long wronly = constant(Arch.X86_64, "O_WRONLY");
        assertEquals(
                Action.NOTIFY, decide(p, Arch.X86_64, "open", at(1, wronly)).action());
        assertEquals(Action.ALLOW, decide(p, Arch.X86_64, "open", at(1, 0)).action());
        assertEquals(Action.NOTIFY, decide(p, Arch.X86_64, "creat").action());
        assertEquals(
                "rule #1 (p.yaml:5) via openat (family open)",
                decide(p, Arch.X86_64, "openat2").rule().describe());
        assertEquals(Action.NOTIFY, decide(p, Arch.I386, "open", at(1, wronly)).action());
        assertEquals(Action.NOTIFY, decide(p, Arch.AARCH64, "openat2").action());
    }

    @Test
    void theCompiledProgramAgreesWithTheEvaluatorOnEveryFamilyMember() {
        Policy p = load(OPENAT_WRITES
                + """
                  - syscalls: [clone]
                    decision: allow
                """.replace("  - syscalls", "    - syscalls").replace("    decision", "      decision"));
        Program prog = PolicyCompiler.compile(p, CompileOptions.defaults()).program();
        Random rnd = new Random(5);
        long[] interesting = {0, 1, 2, 3, 0100, 01000, -1L, 0xffffffff00000001L};
        int checked = 0;
        for (Arch arch : List.of(Arch.X86_64, Arch.I386, Arch.AARCH64)) {
            for (List<String> members : Families.shipped().all().values()) {
                for (String m : members) {
                    Optional<Integer> nr = SyscallTable.of(arch).byName(m).map(s -> s.nr());
                    for (int i = 0; nr.isPresent() && i < 40; i++) {
                        long[] args = new long[6];
                        for (int k = 0; k < 6; k++) {
                            args[k] = rnd.nextBoolean() ? interesting[rnd.nextInt(interesting.length)] : rnd.nextLong();
                        }
                        SeccompData d = SeccompData.of(nr.get(), arch.auditArch(), args);
                        assertEquals(
                                ReferenceEvaluator.decide(p, d).action().seccompRet(),
                                Interpreter.eval(prog, d),
                                m + " on " + arch);
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked > 1000, "checked " + checked);
    }

    @Test
    void superviseRulesCoverSiblingsAndWarnWhereTheirConditionCannotGo() {
        LoadResult r = loadWithWarnings(OPENAT_WRITES);
        long wronly = constant(Arch.X86_64, "O_WRONLY");
        var s = r.policy().supervision();
        assertEquals(
                SuperviseDecision.errno(13),
                s.decide(Arch.X86_64, nr(Arch.X86_64, "open"), at(1, wronly), Optional.of("/tmp/x"))
                        .decision());
        assertEquals(
                SuperviseDecision.ALLOW,
                s.decide(Arch.X86_64, nr(Arch.X86_64, "open"), at(1, 0), Optional.of("/tmp/x"))
                        .decision());
        // the path rule covers every sibling that names a path, whatever its parameters
        assertEquals(
                SuperviseDecision.errno(1),
                s.decide(Arch.X86_64, nr(Arch.X86_64, "openat2"), new long[6], Optional.of("/etc/passwd"))
                        .decision());
        assertEquals(
                SuperviseDecision.errno(1),
                s.decide(Arch.I386, nr(Arch.I386, "creat"), new long[6], Optional.of("/etc/passwd"))
                        .decision());

        assertEquals(
                List.of("""
                p.yaml:12:18: warning: supervise rule for openat does not cover its sibling openat2: its 'when' tests \
                'flags', which openat2(dfd, filename, how, usize) does not pass as a parameter; give openat2 a \
                supervise rule of its own
                        - syscalls: [openat]
                                     ^""", """
                p.yaml:12:18: warning: supervise rule for openat does not cover its sibling creat: its 'when' tests \
                'flags', which creat(pathname, mode) does not pass as a parameter; give creat a supervise rule of its own
                        - syscalls: [openat]
                                     ^"""), r.warnings().stream().map(Diagnostic::render).toList());
    }

    @Test
    void noWarningForASiblingTheFilterDeniesOrAnotherSuperviseRuleNames() {
        LoadResult r = loadWithWarnings("""
                version: 1
                arch: x86_64
                default: allow
                rules:
                  - action: errno ENOSYS
                    syscalls: [openat2]
                  - action: trace
                    syscalls: [openat]
                supervise:
                  rules:
                    - syscalls: [creat]
                      decision: errno EACCES
                    - syscalls: [openat]
                      when: "flags & O_CREAT"
                      decision: errno EACCES
                """);
        assertEquals(List.of(), r.warnings());
        assertEquals(
                Action.errno(38), decide(r.policy(), Arch.X86_64, "openat2").action());
    }

    @Test
    void aPathRuleDoesNotTakeInSiblingsWithoutAPathButARuleWithoutOneDoes() {
        Policy p = load("""
                version: 1
                arch: aarch64
                default: allow
                rules:
                  - action: notify
                    syscalls: [newfstatat]
                supervise:
                  rules:
                    - syscalls: [newfstatat]
                      path: ["/secret/**"]
                      decision: errno ENOENT
                    - syscalls: [newfstatat]
                      decision: errno EPERM
                """);
        var rules = p.supervision().rules();
        int fstat = nr(Arch.AARCH64, "fstat");
        int statx = nr(Arch.AARCH64, "statx");
        assertFalse(rules.get(0).syscalls().contains(Arch.AARCH64, fstat));
        assertTrue(rules.get(0).syscalls().contains(Arch.AARCH64, statx));
        assertTrue(rules.get(1).syscalls().contains(Arch.AARCH64, fstat));
        assertEquals(Action.NOTIFY, decide(p, Arch.AARCH64, "fstat").action());
    }

    @Test
    void theShippedProfilesLoadWithoutWarnings() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(PROFILES)) {
            files = s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 5, "profiles in " + PROFILES + ": " + files);
        LoadOptions opts = new LoadOptions(List.of(PROFILES), List.of(Arch.X86_64, Arch.I386, Arch.AARCH64));
        for (Path f : files) {
            assertEquals(List.of(), PolicyLoader.loadWithWarnings(f, opts).warnings(), f.toString());
        }
    }

    @Test
    void theShippedProfilesWithSupervisorRulesKeepTheirMeaning() {
        LoadOptions opts = new LoadOptions(List.of(PROFILES), List.of(Arch.X86_64));
        Policy readOnly = PolicyLoader.load(PROFILES.resolve("read-only.yaml"), opts);
        long wronly = constant(Arch.X86_64, "O_WRONLY");
        // read-only's opens are Landlock's and its metadata changes its read-only mount's: the filter lets them through
        assertEquals(
                Action.ALLOW, decide(readOnly, Arch.X86_64, "open", at(1, 0)).action(), "reading stays in the filter");
        assertEquals(
                Action.ALLOW,
                decide(readOnly, Arch.X86_64, "open", at(1, wronly)).action());
        assertEquals(Action.ALLOW, decide(readOnly, Arch.X86_64, "openat2").action());
        assertEquals(
                Action.ALLOW, decide(readOnly, Arch.X86_64, "chmod", at(1, 0)).action());
        Policy stdio = PolicyLoader.load(PROFILES.resolve("strict-stdio.yaml"), opts);
        assertEquals(Action.errno(1), decide(stdio, Arch.X86_64, "creat").action());
        assertEquals(Action.errno(38), decide(stdio, Arch.X86_64, "openat2").action());
    }
}
