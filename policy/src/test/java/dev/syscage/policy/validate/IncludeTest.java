package dev.syscage.policy.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code include:}: rule order, group visibility, each file once, cycles, profiles and where they are found. */
class IncludeTest {
    private static final LoadOptions NO_DIRS = new LoadOptions(List.of(), List.of());

    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, yaml);
        return p;
    }

    private Policy load(String top, LoadOptions options) {
        return PolicyLoader.load(dir.resolve(top), top, options).policy();
    }

    private static List<String> ruleFiles(Policy p) {
        return p.rules().stream()
                .map(r -> r.pos().file() + ":" + String.join(",", r.syscalls()))
                .toList();
    }

    @Test
    void includedRulesComeAfterTheIncludersInIncludeOrderDepthFirst() throws IOException {
        write(
                "top.yaml",
                "version: 1\narch: x86_64\ndefault: kill\ninclude: [b.yaml, sub/c.yaml]\n"
                        + "rules:\n  - {action: errno EPERM, syscalls: [read]}\n");
        write("b.yaml", "version: 1\ninclude: [d.yaml]\nrules:\n  - {action: allow, syscalls: [read, write]}\n");
        write("d.yaml", "version: 1\nrules:\n  - {action: allow, syscalls: [close]}\n");
        write("sub/c.yaml", "version: 1\nrules:\n  - {action: log, syscalls: [close, getpid]}\n");
        Policy p = load("top.yaml", NO_DIRS);
        assertEquals(
                List.of("top.yaml:read", "b.yaml:read,write", "d.yaml:close", "sub/c.yaml:close,getpid"), ruleFiles(p));
        assertEquals(
                Action.errno(1), PolicyLoaderTest.decide(p, Arch.X86_64, "read").action());
        assertEquals(
                Action.ALLOW, PolicyLoaderTest.decide(p, Arch.X86_64, "write").action());
        assertEquals(
                Action.ALLOW, PolicyLoaderTest.decide(p, Arch.X86_64, "close").action());
        assertEquals(
                "rule #3 (d.yaml:3)",
                PolicyLoaderTest.decide(p, Arch.X86_64, "close").rule().describe());
        assertEquals(
                Action.LOG, PolicyLoaderTest.decide(p, Arch.X86_64, "getpid").action());
    }

    @Test
    void theTopFileDecidesFallbacksArchesAndName() throws IOException {
        write("top.yaml", "version: 1\narch: aarch64\ndefault: errno EPERM\ninclude: [inc.yaml]\n");
        write("inc.yaml", "version: 1\nname: other\narch: x86_64\ndefault: allow\nunknown: allow\nbad_arch: allow\n");
        Policy p = load("top.yaml", NO_DIRS);
        assertEquals("top", p.name());
        assertEquals(Arch.AARCH64, p.arches().get(0).arch());
        assertEquals(Action.errno(1), p.arches().get(0).defaultAction());
        assertEquals(Action.errno(1), p.arches().get(0).unknownAction());
        assertEquals(Action.KILL, p.badArchAction());
    }

    @Test
    void aFileReachedTwiceIsReadOnce() throws IOException {
        write("top.yaml", "version: 1\narch: x86_64\ndefault: kill\ninclude: [b.yaml, c.yaml]\n");
        write("b.yaml", "version: 1\ninclude: [base.yaml]\nrules:\n  - {action: allow, syscalls: ['@io']}\n");
        write("c.yaml", "version: 1\ninclude: [./base.yaml]\nrules:\n  - {action: log, syscalls: ['@io']}\n");
        write("base.yaml", "version: 1\ngroups:\n  io: [read]\nrules:\n  - {action: trap, syscalls: [write]}\n");
        Policy p = load("top.yaml", NO_DIRS);
        assertEquals(List.of("b.yaml:@io", "base.yaml:write", "c.yaml:@io"), ruleFiles(p));
    }

    @Test
    void groupsOfIncludedFilesAreVisibleToTheIncluder() throws IOException {
        write(
                "top.yaml",
                "version: 1\narch: x86_64\ndefault: kill\ninclude: [b.yaml]\n"
                        + "groups:\n  mine: ['@deep', write]\nrules:\n  - {action: allow, syscalls: ['@mine']}\n");
        write("b.yaml", "version: 1\ninclude: [c.yaml]\n");
        write("c.yaml", "version: 1\ngroups:\n  deep: [read]\n");
        Policy p = load("top.yaml", NO_DIRS);
        assertEquals(
                Action.ALLOW, PolicyLoaderTest.decide(p, Arch.X86_64, "read").action());
        assertEquals(
                Action.ALLOW, PolicyLoaderTest.decide(p, Arch.X86_64, "write").action());
    }

    @Test
    void aCycleIsReportedAtTheIncludeThatClosesIt() throws IOException {
        write("a.yaml", "version: 1\narch: x86_64\ndefault: kill\ninclude: [b.yaml]\n");
        write("b.yaml", "version: 1\ninclude: [a.yaml]\n");
        PolicyException e = assertThrows(PolicyException.class, () -> load("a.yaml", NO_DIRS));
        assertEquals(
                "b.yaml:2:11: error: include cycle: a.yaml -> b.yaml -> a.yaml\n"
                        + "    include: [a.yaml]\n"
                        + "              ^",
                e.render());
    }

    @Test
    void aFileIncludingItselfIsACycle() throws IOException {
        write("a.yaml", "version: 1\narch: x86_64\ndefault: kill\ninclude: a.yaml\n");
        PolicyException e = assertThrows(PolicyException.class, () -> load("a.yaml", NO_DIRS));
        assertEquals(
                "a.yaml:4:10: error: include cycle: a.yaml -> a.yaml",
                e.diagnostics().get(0).header());
    }

    @Test
    void profilesAreLookedUpInTheProfileDirsFirst() throws IOException {
        Path first = Files.createDirectories(dir.resolve("first"));
        Path second = Files.createDirectories(dir.resolve("second"));
        write("second/base.yaml", "version: 1\nrules:\n  - {action: log, syscalls: [read]}\n");
        write("first/base.yaml", "version: 1\nrules:\n  - {action: allow, syscalls: [read]}\n");
        write("top.yaml", "version: 1\narch: x86_64\ndefault: kill\ninclude: [base]\n");
        Policy p = load("top.yaml", new LoadOptions(List.of(first, second), List.of()));
        assertEquals(
                Action.ALLOW, PolicyLoaderTest.decide(p, Arch.X86_64, "read").action());
        assertEquals(
                first.resolve("base.yaml").toString(), p.rules().get(0).pos().file());
    }

    @Test
    void profilesFallBackToTheClasspath() throws IOException {
        write(
                "top.yaml",
                "version: 1\narch: x86_64\ndefault: kill\ninclude: [test-only-profile]\n"
                        + "rules:\n  - {action: log, syscalls: ['@from-classpath', read]}\n");
        Policy p = load("top.yaml", NO_DIRS);
        assertEquals(
                List.of("top.yaml:@from-classpath,read", "<shipped>/test-only-profile.yaml:@from-classpath"),
                ruleFiles(p));
    }

    @Test
    void aMissingProfileNamesWhereItWasLookedFor() throws IOException {
        Path profiles = Files.createDirectories(dir.resolve("profiles"));
        write("top.yaml", "version: 1\narch: x86_64\ndefault: kill\ninclude: [nothere]\n");
        PolicyException e = assertThrows(
                PolicyException.class, () -> load("top.yaml", new LoadOptions(List.of(profiles), List.of())));
        assertEquals(
                "top.yaml:4:11: error: profile 'nothere' not found; looked in " + profiles.resolve("nothere.yaml")
                        + ", the shipped profiles (to include a file next to this one, write 'nothere.yaml')",
                e.diagnostics().get(0).header());
    }

    @Test
    void loadStringResolvesIncludesNextToItsDisplayName() throws IOException {
        write("inc.yaml", "version: 1\nrules:\n  - {action: allow, syscalls: [read]}\n");
        Policy p = PolicyLoader.loadString(
                dir.resolve("virtual.yaml").toString(),
                "version: 1\narch: x86_64\ndefault: kill\ninclude: [inc.yaml]\n",
                NO_DIRS);
        assertEquals(
                Action.ALLOW, PolicyLoaderTest.decide(p, Arch.X86_64, "read").action());
        assertEquals("virtual", p.name());
    }

    @Test
    void aMissingTopFileIsADiagnosticNotAStackTrace() {
        PolicyException e =
                assertThrows(PolicyException.class, () -> PolicyLoader.load(dir.resolve("none.yaml"), NO_DIRS));
        assertEquals(
                "syscage: error: cannot read policy file " + dir.resolve("none.yaml") + " (no such file)", e.render());
    }

    @Test
    void warningsOfIncludedFilesAreReturnedToo() throws IOException {
        write("top.yaml", "version: 1\narch: aarch64\ndefault: kill\ninclude: [inc.yaml]\n");
        write("inc.yaml", "version: 1\nrules:\n  - {action: allow, syscalls: [open]}\n");
        LoadResult r = PolicyLoader.loadWithWarnings(dir.resolve("top.yaml"), NO_DIRS);
        assertEquals(
                List.of(dir.resolve("inc.yaml") + ":3:32: warning: syscall 'open' does not exist on aarch64"),
                r.warnings().stream().map(Diagnostic::header).toList());
    }
}
