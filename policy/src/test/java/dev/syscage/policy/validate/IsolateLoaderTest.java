package dev.syscage.policy.validate;

import static dev.syscage.policy.validate.PolicyLoaderTest.load;
import static dev.syscage.policy.validate.PolicyLoaderTest.loadWithWarnings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.isolate.Compat;
import dev.syscage.policy.isolate.Isolation;
import dev.syscage.policy.isolate.Namespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code isolate:} section loaded from YAML into an {@link Isolation}: what each key gives,
 * how included files merge, and each mistake reported where it is written (more in the golden
 * corpus, {@code errors/isolate-*.yaml}).
 */
class IsolateLoaderTest {
    private static final String HEAD = "version: 1\narch: x86_64\ndefault: errno EPERM\n";

    @TempDir
    Path dir;

    private static Isolation isolation(String yaml) {
        return load(HEAD + yaml).isolation();
    }

    private static String error(String yaml) {
        return assertThrows(PolicyException.class, () -> load(HEAD + yaml)).render();
    }

    @Test
    void theExampleOfTheReferenceLoads() {
        Isolation i = isolation("""
                isolate:
                  namespaces: [net, ipc, uts]
                  read-only: [/]
                  writable: [/tmp]
                  compat: best-effort
                """);
        assertEquals(EnumSet.of(Namespace.NET, Namespace.IPC, Namespace.UTS), i.namespaces());
        assertEquals(List.of("/"), i.readOnly());
        assertEquals(List.of("/tmp"), i.writable());
        assertEquals(Compat.BEST_EFFORT, i.compat());
        assertEquals("p.yaml:4", i.pos().fileLine());
    }

    @Test
    void oneWordStandsForAListAndCompatDefaultsToRequired() {
        Isolation i = isolation("isolate:\n  namespaces: uts\n  read-only: /usr\n");
        assertEquals(Set.of(Namespace.UTS), i.namespaces());
        assertEquals(List.of("/usr"), i.readOnly());
        assertEquals(List.of(), i.writable());
        assertEquals(Compat.REQUIRED, i.compat());
    }

    @Test
    void pathsLoseRepeatedAndTrailingSlashes() {
        Isolation i = isolation("isolate:\n  read-only: [//usr/, /srv//www]\n  writable: [/srv/www/cache/]\n");
        assertEquals(List.of("/usr", "/srv/www"), i.readOnly());
        assertEquals(List.of("/srv/www/cache"), i.writable());
    }

    @Test
    void aPolicyWithoutTheSectionHasNone() {
        assertSame(Isolation.NONE, isolation("rules: []\n"));
        assertSame(
                Isolation.NONE,
                PolicyLoader.load(
                                Path.of("../profiles/default.yaml"),
                                new LoadOptions(List.of(Path.of("../profiles")), List.of()))
                        .isolation(),
                "default asks for none");
    }

    @Test
    void aSectionThatAsksForNothingIsNoneWithAWarning() {
        LoadResult r = loadWithWarnings(HEAD + "isolate:\n  compat: best-effort\n");
        assertSame(Isolation.NONE, r.policy().isolation());
        assertEquals(
                List.of("p.yaml:4:1: warning: 'isolate' asks for nothing: it has no namespaces and no read-only paths"),
                r.warnings().stream().map(Diagnostic::header).toList());
        LoadResult empty = loadWithWarnings(HEAD + "isolate:\n  namespaces: []\n  read-only: []\n");
        assertSame(Isolation.NONE, empty.policy().isolation());
        assertEquals(
                List.of("p.yaml:4:1: warning: 'isolate' asks for nothing: it has no namespaces and no read-only paths"),
                empty.warnings().stream().map(Diagnostic::header).toList());
    }

    @Test
    void pidAndMountAreRefusedWithWhy() {
        assertEquals("""
                p.yaml:5:16: error: 'pid' need not be listed: every contained run has its own PID namespace already; \
                'namespaces' lists the others a run may get: net, ipc, uts
                      namespaces: [pid, mount, nett, network, user]
                                   ^
                p.yaml:5:21: error: 'mount' need not be listed: every contained run has its own mount namespace \
                already (read-only mounts are 'read-only:'); 'namespaces' lists the others a run may get: net, ipc, uts
                      namespaces: [pid, mount, nett, network, user]
                                        ^
                p.yaml:5:28: error: unknown namespace 'nett' (did you mean 'net'?)
                      namespaces: [pid, mount, nett, network, user]
                                               ^
                p.yaml:5:34: error: unknown namespace 'network' (did you mean 'net'?)
                      namespaces: [pid, mount, nett, network, user]
                                                     ^
                p.yaml:5:43: error: unknown namespace 'user'; a user namespace is how syscage makes the others \
                without privileges; it is not asked for (expected net, ipc, uts)
                      namespaces: [pid, mount, nett, network, user]
                                                              ^""", error("isolate:\n  namespaces: [pid, mount, nett, network, user]\n"));
    }

    @Test
    void aWritablePathMustBeBeneathAReadOnlyOne() {
        assertEquals("""
                p.yaml:6:26: error: writable path '/tmp' is beneath no read-only path (read-only: /usr, /etc); \
                'writable' binds a path back read-write inside a read-only one, and everything outside the \
                read-only paths is writable already
                      writable: [/usr/cache, /tmp]
                                             ^""", error("isolate:\n  read-only: [/usr, /etc]\n  writable: [/usr/cache, /tmp]\n"));
        assertEquals("""
                p.yaml:5:13: error: writable path '/tmp' is beneath no read-only path (there are none); 'writable' \
                binds a path back read-write inside a read-only one, and everything outside the read-only paths is \
                writable already
                      writable: /tmp
                                ^""", error("isolate:\n  writable: /tmp\n"));
    }

    @Test
    void aPathIsReadOnlyOrWritableNotBoth() {
        assertEquals("""
                p.yaml:6:14: error: '/srv' is both read-only (p.yaml:5) and writable; list it in one of them
                      writable: [/srv]
                                 ^""", error("isolate:\n  read-only: [/, /srv]\n  writable: [/srv]\n"));
    }

    @Test
    void unknownCompatAndKeysAreNamed() {
        assertEquals("""
                p.yaml:5:3: error: unknown isolate key 'readonly' (did you mean 'read-only'?)
                      readonly: [/]
                      ^
                p.yaml:6:3: error: unknown isolate key 'unshare' (did you mean 'namespaces'?)
                      unshare: [net]
                      ^
                p.yaml:7:11: error: unknown isolate compat 'best_effort' (did you mean 'best-effort'?)
                      compat: best_effort
                              ^""", error("isolate:\n  readonly: [/]\n  unshare: [net]\n  compat: best_effort\n"));
    }

    @Test
    void repeatsInOneFileAreWarnings() {
        LoadResult r = loadWithWarnings(HEAD + "isolate:\n  namespaces: [net, net]\n  read-only: [/usr, /usr/]\n");
        assertEquals(List.of("/usr"), r.policy().isolation().readOnly());
        assertEquals(
                List.of(
                        "p.yaml:5:21: warning: namespace 'net' is listed twice",
                        "p.yaml:6:21: warning: '/usr' is listed twice in 'read-only'"),
                r.warnings().stream().map(Diagnostic::header).toList());
    }

    @Test
    void includedSectionsMerge() throws IOException {
        Files.writeString(dir.resolve("top.yaml"), HEAD + """
                include: [base.yaml, more.yaml]
                isolate:
                  namespaces: [uts]
                  writable: [/home/me, /tmp]
                """);
        Files.writeString(dir.resolve("base.yaml"), """
                version: 1
                isolate:
                  namespaces: [net]
                  read-only: [/, /home]
                  writable: [/tmp]
                  compat: best-effort
                """);
        Files.writeString(dir.resolve("more.yaml"), """
                version: 1
                isolate:
                  namespaces: [net, ipc]
                  read-only: [/home, /srv]
                """);
        Isolation i = loadFile("top.yaml");
        assertEquals(EnumSet.allOf(Namespace.class), i.namespaces(), "united");
        assertEquals(List.of("/", "/home", "/srv"), i.readOnly(), "concatenated in file order, once each");
        assertEquals(
                List.of("/home/me", "/tmp"), i.writable(), "the top file opens up what an include makes read-only");
        assertEquals(Compat.REQUIRED, i.compat(), "the top file has a section: its own compat (the default)");
        assertEquals("top.yaml:5", i.pos().fileLine());
    }

    /** As landlock: the top file's compat; without a section of its own, its includes' (best-effort only if all say so). */
    @Test
    void compatComesFromTheIncludesOnlyWhereTheTopFileHasNoSection() throws IOException {
        Files.writeString(
                dir.resolve("lenient.yaml"), "version: 1\nisolate: {namespaces: [net], compat: best-effort}\n");
        Files.writeString(dir.resolve("strict.yaml"), "version: 1\nisolate: {read-only: [/usr]}\n");
        Files.writeString(dir.resolve("plain.yaml"), "version: 1\n");
        assertEquals(Compat.BEST_EFFORT, compatOf(HEAD + "include: [lenient.yaml, plain.yaml]\n"));
        assertEquals(Compat.REQUIRED, compatOf(HEAD + "include: [lenient.yaml, strict.yaml]\n"));
        assertEquals(Compat.REQUIRED, compatOf(HEAD + "include: [lenient.yaml]\nisolate: {namespaces: [uts]}\n"));
        assertEquals(Compat.BEST_EFFORT, compatOf(HEAD + "include: [strict.yaml]\nisolate: {compat: best-effort}\n"));
    }

    @Test
    void errorsInAnIncludedFileNameThatFile() throws IOException {
        Files.writeString(dir.resolve("top.yaml"), HEAD + "include: [bad.yaml]\n");
        Files.writeString(dir.resolve("bad.yaml"), "version: 1\nisolate:\n  read-only: [usr]\n");
        PolicyException e = assertThrows(PolicyException.class, () -> loadFile("top.yaml"));
        assertEquals("""
                bad.yaml:3:15: error: read-only path 'usr' is not absolute; a mount needs an absolute path (did you mean '/usr'?)
                      read-only: [usr]
                                  ^""", e.render());
    }

    private Isolation loadFile(String name) {
        return PolicyLoader.load(dir.resolve(name), name, new LoadOptions(List.of(), List.of()))
                .policy()
                .isolation();
    }

    private Compat compatOf(String top) throws IOException {
        Files.writeString(dir.resolve("top.yaml"), top);
        return loadFile("top.yaml").compat();
    }

    @Test
    void theExamplesInTheReferenceLoadWithoutWarnings() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "policy.md"));
        int section = doc.indexOf("## Isolation: namespaces and read-only mounts");
        int end = doc.indexOf("\n## ", section + 1);
        List<Isolation> loaded = new ArrayList<>();
        for (int at = doc.indexOf("```yaml\n", section); at >= 0 && at < end; at = doc.indexOf("```yaml\n", at + 1)) {
            int start = at + "```yaml\n".length();
            LoadResult r = loadWithWarnings(HEAD + doc.substring(start, doc.indexOf("```", start)));
            assertEquals(List.of(), r.warnings());
            loaded.add(r.policy().isolation());
        }
        assertEquals(3, loaded.size());
        assertEquals(List.of("/"), loaded.get(0).readOnly());
        assertEquals(List.of("/tmp"), loaded.get(0).writable());
        assertEquals(Set.of(Namespace.NET), loaded.get(1).namespaces());
        assertEquals(List.of(), loaded.get(1).readOnly());
    }
}
