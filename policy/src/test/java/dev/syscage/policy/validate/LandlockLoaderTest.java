package dev.syscage.policy.validate;

import static dev.syscage.policy.landlock.FsAccess.EXECUTE;
import static dev.syscage.policy.landlock.FsAccess.MAKE_BLOCK;
import static dev.syscage.policy.landlock.FsAccess.MAKE_CHAR;
import static dev.syscage.policy.landlock.FsAccess.MAKE_DIR;
import static dev.syscage.policy.landlock.FsAccess.MAKE_FIFO;
import static dev.syscage.policy.landlock.FsAccess.MAKE_REG;
import static dev.syscage.policy.landlock.FsAccess.MAKE_SOCK;
import static dev.syscage.policy.landlock.FsAccess.MAKE_SYM;
import static dev.syscage.policy.landlock.FsAccess.READ_DIR;
import static dev.syscage.policy.landlock.FsAccess.READ_FILE;
import static dev.syscage.policy.landlock.FsAccess.REFER;
import static dev.syscage.policy.landlock.FsAccess.REMOVE_DIR;
import static dev.syscage.policy.landlock.FsAccess.REMOVE_FILE;
import static dev.syscage.policy.landlock.FsAccess.TRUNCATE;
import static dev.syscage.policy.landlock.FsAccess.WRITE_FILE;
import static dev.syscage.policy.validate.PolicyLoaderTest.load;
import static dev.syscage.policy.validate.PolicyLoaderTest.loadWithWarnings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.landlock.FsAccess;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.LandlockRuleset.Compat;
import dev.syscage.policy.landlock.LandlockRuleset.PathRule;
import dev.syscage.policy.landlock.LandlockRuleset.PortRule;
import dev.syscage.policy.landlock.NetAccess;
import dev.syscage.policy.landlock.Scope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Landlock sections ({@code landlock:}, {@code filesystem:}, {@code network:}, {@code scope:})
 * loaded from YAML and lowered to a {@link LandlockRuleset}: the bits each form gives, the
 * merging of included files, and {@link LandlockRuleset#NONE} for a policy without them. The
 * error messages are in the golden corpus ({@code errors/landlock-*.yaml}).
 */
class LandlockLoaderTest {
    private static final String HEAD = "version: 1\narch: x86_64\ndefault: errno EPERM\n";
    private static final long CREATE = MAKE_REG | MAKE_DIR | MAKE_SYM | MAKE_FIFO | MAKE_SOCK;

    @TempDir
    Path dir;

    private static LandlockRuleset ruleset(String yaml) {
        return load(HEAD + yaml).landlock();
    }

    /** Rules as {@code path access-hex optional line:column}, the position of the path as written. */
    private static List<String> paths(LandlockRuleset r) {
        return r.paths().stream()
                .map(p -> p.path() + " 0x" + Long.toHexString(p.access()) + (p.optional() ? " optional" : "") + " "
                        + p.pos().line() + ":" + p.pos().column())
                .toList();
    }

    private static List<String> ports(LandlockRuleset r) {
        return r.ports().stream()
                .map(p -> NetAccess.name(p.access()) + " " + p.port() + " "
                        + p.pos().fileLine())
                .toList();
    }

    @Test
    void theExampleOfTheIssueLowersToTheKernelsBits() {
        LandlockRuleset r = ruleset("""
                landlock: best-effort
                filesystem:
                  confine: all
                  allow:
                    - paths: [/usr, /etc]
                      access: [read, execute]
                    - paths: [/opt/app]
                      access: [read]
                      optional: true
                network:
                  bind: [8080]
                  connect: [80, 443]
                scope: [signal, abstract-unix-socket]
                """);
        assertEquals(FsAccess.ALL, r.handledFs());
        assertEquals(NetAccess.ALL, r.handledNet());
        assertEquals(Scope.ALL, r.scoped());
        assertEquals(Compat.BEST_EFFORT, r.compat());
        long readExec = READ_FILE | READ_DIR | EXECUTE;
        assertEquals(
                List.of(
                        "/usr 0x" + Long.toHexString(readExec) + " 8:15",
                        "/etc 0xd 8:21",
                        "/opt/app 0xc optional 10:15"),
                paths(r));
        assertEquals(
                List.of("bind_tcp 8080 p.yaml:14", "connect_tcp 80 p.yaml:15", "connect_tcp 443 p.yaml:15"), ports(r));
        assertEquals(6, r.abiNeeded());
    }

    @Test
    void eachPolicyWordStandsForItsKernelRights() {
        LandlockRuleset r = ruleset("""
                filesystem:
                  allow:
                    - {paths: [/a], access: [read]}
                    - {paths: [/b], access: [write]}
                    - {paths: [/c], access: [execute]}
                    - {paths: [/d], access: [create]}
                    - {paths: [/e], access: [remove]}
                    - {paths: [/f], access: [rename]}
                    - {paths: [/g], access: [truncate]}
                    - {paths: [/h], access: [make-device]}
                    - {paths: [/i], access: [ioctl-dev]}
                    - {paths: [/j], access: [all]}
                    - {paths: [/k], access: [read_file, make-reg, REFER, Remove-Dir]}
                """);
        assertEquals(
                List.of(
                        READ_FILE | READ_DIR,
                        WRITE_FILE | TRUNCATE,
                        EXECUTE,
                        CREATE,
                        REMOVE_FILE | REMOVE_DIR,
                        REFER,
                        TRUNCATE,
                        MAKE_CHAR | MAKE_BLOCK,
                        FsAccess.IOCTL_DEV,
                        FsAccess.ALL,
                        READ_FILE | MAKE_REG | REFER | REMOVE_DIR),
                r.paths().stream().map(PathRule::access).toList());
        assertEquals(Compat.REQUIRED, r.compat(), "required unless the policy says best-effort");
    }

    @Test
    void confineAloneDeniesThoseRightsEverywhere() {
        LandlockRuleset r = ruleset("filesystem:\n  confine: [make-device]\n");
        assertEquals(MAKE_CHAR | MAKE_BLOCK, r.handledFs());
        assertEquals(List.of(), r.paths());
        assertEquals(1, r.abiNeeded());
        LandlockRuleset listed = ruleset("filesystem:\n  confine: [read, write-file]\n  allow:\n"
                + "    - {paths: [/srv], access: [read_file]}\n");
        assertEquals(READ_FILE | READ_DIR | WRITE_FILE, listed.handledFs());
    }

    @Test
    void pathsLoseRepeatedAndTrailingSlashes() {
        LandlockRuleset r =
                ruleset("filesystem:\n  allow:\n    - {paths: [/usr//lib/, /, \"/with space\"], access: [read]}\n");
        assertEquals(
                List.of("/usr/lib", "/", "/with space"),
                r.paths().stream().map(PathRule::path).toList());
    }

    @Test
    void networkConfinesEachDirectionListedOrLeftOutAndNotThoseSaidAny() {
        LandlockRuleset onlyConnect = ruleset("network:\n  bind: any\n  connect: 443\n");
        assertEquals(NetAccess.CONNECT_TCP, onlyConnect.handledNet());
        assertEquals(List.of("connect_tcp 443 p.yaml:6"), ports(onlyConnect));
        assertEquals(4, onlyConnect.abiNeeded());
        LandlockRuleset leftOut = ruleset("network:\n  connect: [443]\n");
        assertEquals(NetAccess.ALL, leftOut.handledNet(), "a direction left out allows no port");
        LandlockRuleset none = ruleset("network:\n  bind: []\n");
        assertEquals(NetAccess.ALL, none.handledNet());
        assertEquals(List.of(), none.ports());
    }

    @Test
    void scopesAndTheirSpellings() {
        assertEquals(Scope.ALL, ruleset("scope: all\n").scoped());
        assertEquals(Scope.SIGNAL, ruleset("scope: [signals]\n").scoped());
        assertEquals(
                Scope.ABSTRACT_UNIX_SOCKET,
                ruleset("scope: abstract_unix_socket\n").scoped());
        assertEquals(6, ruleset("scope: signal\n").abiNeeded());
    }

    @Test
    void aPolicyWithoutTheSectionsHasNone() {
        assertSame(LandlockRuleset.NONE, load(HEAD).landlock());
        LoadResult setting = loadWithWarnings(HEAD + "landlock: best-effort\n");
        assertSame(LandlockRuleset.NONE, setting.policy().landlock());
        assertEquals(
                List.of("p.yaml:4:11: warning: 'landlock: best-effort' has no effect: the policy has no filesystem, "
                        + "network or scope section"),
                setting.warnings().stream().map(Diagnostic::header).toList());
        LoadResult any = loadWithWarnings(HEAD + "network: {bind: any, connect: any}\n");
        assertSame(LandlockRuleset.NONE, any.policy().landlock());
        assertEquals(
                List.of("p.yaml:4:1: warning: 'network' confines nothing: bind and connect are both 'any'"),
                any.warnings().stream().map(Diagnostic::header).toList());
    }

    @Test
    void yesAndOnAreTrueForOptional() {
        LandlockRuleset r = ruleset("filesystem:\n  allow:\n    - {paths: [/a], access: [read], optional: yes}\n"
                + "    - {paths: [/b], access: [read], optional: false}\n");
        assertEquals(
                List.of(true, false), r.paths().stream().map(PathRule::optional).toList());
    }

    @Test
    void includedSectionsMerge() throws IOException {
        Files.writeString(dir.resolve("top.yaml"), HEAD + """
                include: [base.yaml, net.yaml]
                filesystem:
                  confine: [read, write]
                  allow:
                    - {paths: [/srv], access: [read, write]}
                network:
                  connect: any
                  bind: [8080]
                scope: signal
                """);
        Files.writeString(dir.resolve("base.yaml"), """
                version: 1
                landlock: best-effort
                filesystem:
                  confine: [execute, make-device]
                  allow:
                    - {paths: [/usr], access: [read, execute]}
                scope: abstract-unix-socket
                """);
        Files.writeString(dir.resolve("net.yaml"), """
                version: 1
                network:
                  bind: [8080, 9090]
                  connect: [443]
                """);
        LandlockRuleset r = PolicyLoader.load(
                        dir.resolve("top.yaml"), "top.yaml", new LoadOptions(List.of(), List.of()))
                .policy()
                .landlock();
        assertEquals(
                READ_FILE | READ_DIR | WRITE_FILE | TRUNCATE | EXECUTE | MAKE_CHAR | MAKE_BLOCK,
                r.handledFs(),
                "confine sets are united");
        assertEquals(
                List.of("/srv top.yaml:8", "/usr base.yaml:6"),
                r.paths().stream().map(p -> p.path() + " " + p.pos().fileLine()).toList(),
                "the top file's rules first");
        assertEquals(NetAccess.ALL, r.handledNet(), "'any' in one file leaves the direction to the others");
        assertEquals(
                List.of("bind_tcp 8080 top.yaml:11", "bind_tcp 9090 net.yaml:3", "connect_tcp 443 net.yaml:4"),
                ports(r));
        assertEquals(Scope.ALL, r.scoped());
        assertEquals(Compat.REQUIRED, r.compat(), "the landlock: setting is the top file's");
    }

    /** A top file without sections or setting keeps its includes' setting; one with sections needs its own. */
    @Test
    void theSettingComesFromTheIncludesOnlyWhereTheTopFileSaysNothing() throws IOException {
        Files.writeString(dir.resolve("lenient.yaml"), "version: 1\nlandlock: best-effort\nscope: signal\n");
        Files.writeString(dir.resolve("strict.yaml"), "version: 1\nfilesystem:\n  confine: [make-device]\n");
        Files.writeString(dir.resolve("plain.yaml"), "version: 1\n");
        assertEquals(Compat.BEST_EFFORT, compatOf(HEAD + "include: [lenient.yaml, plain.yaml]\n"));
        assertEquals(Compat.REQUIRED, compatOf(HEAD + "include: [lenient.yaml, strict.yaml]\n"));
        assertEquals(Compat.REQUIRED, compatOf(HEAD + "include: [lenient.yaml]\nscope: abstract-unix-socket\n"));
        assertEquals(Compat.BEST_EFFORT, compatOf(HEAD + "include: [strict.yaml]\nlandlock: best-effort\n"));
    }

    private Compat compatOf(String top) throws IOException {
        Files.writeString(dir.resolve("top.yaml"), top);
        return PolicyLoader.load(dir.resolve("top.yaml"), "top.yaml", new LoadOptions(List.of(), List.of()))
                .policy()
                .landlock()
                .compat();
    }

    @Test
    void aRuleOfAnIncludedFileMayGrantWhatAnotherFileConfines() throws IOException {
        Files.writeString(
                dir.resolve("top.yaml"), HEAD + "include: [dev.yaml]\nfilesystem:\n  confine: [make-device]\n");
        Files.writeString(
                dir.resolve("dev.yaml"),
                "version: 1\nfilesystem:\n  confine: [read]\n  allow:\n"
                        + "    - {paths: [/dev/shm], access: [make-device]}\n");
        LandlockRuleset r = PolicyLoader.load(
                        dir.resolve("top.yaml"), "top.yaml", new LoadOptions(List.of(), List.of()))
                .policy()
                .landlock();
        assertEquals(
                List.of(new PathRule(
                        "/dev/shm",
                        MAKE_CHAR | MAKE_BLOCK,
                        false,
                        r.paths().get(0).pos())),
                r.paths());
    }

    @Test
    void theLoweredRulesetSurvivesItsTextForm() {
        LandlockRuleset r = ruleset("""
                filesystem:
                  allow:
                    - {paths: [/usr, "/srv/web data", /opt/ü], access: [read, execute]}
                    - {paths: [/tmp], access: [read, write, create, remove], optional: true}
                network: {bind: [0, 65535], connect: [443]}
                scope: all
                """);
        LandlockRuleset back = LandlockRuleset.parse(r.serialize());
        assertEquals(r.serialize(), back.serialize());
        assertEquals(withoutPositions(r), back);
    }

    /** What the text form keeps: everything but the positions. */
    static LandlockRuleset withoutPositions(LandlockRuleset r) {
        return new LandlockRuleset(
                r.handledFs(),
                r.handledNet(),
                r.scoped(),
                r.paths().stream()
                        .map(p -> new PathRule(p.path(), p.access(), p.optional(), null))
                        .toList(),
                r.ports().stream()
                        .map(p -> new PortRule(p.access(), p.port(), null))
                        .toList(),
                r.compat());
    }

    @Test
    void theExamplesInTheReferenceLoadWithoutWarnings() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "policy.md"));
        int section = doc.indexOf("## Landlock: filesystem, network, scope");
        int end = doc.indexOf("\n## ", section + 1);
        List<LandlockRuleset> loaded = new java.util.ArrayList<>();
        for (int at = doc.indexOf("```yaml\n", section); at >= 0 && at < end; at = doc.indexOf("```yaml\n", at + 1)) {
            int start = at + "```yaml\n".length();
            LoadResult r = loadWithWarnings(HEAD + doc.substring(start, doc.indexOf("```", start)));
            assertEquals(List.of(), r.warnings());
            loaded.add(r.policy().landlock());
        }
        assertEquals(4, loaded.size());
        LandlockRuleset readOnly = loaded.get(1);
        assertEquals(List.of("/ 0xd 6:15", "/tmp 0x57be 8:15", "/dev/null 0x4002 10:15"), paths(readOnly));
        assertEquals(
                READ_FILE | READ_DIR | WRITE_FILE | TRUNCATE | CREATE | REMOVE_FILE | REMOVE_DIR,
                readOnly.paths().get(1).access());
        LandlockRuleset devices = loaded.get(2);
        assertEquals(MAKE_CHAR | MAKE_BLOCK, devices.handledFs());
        assertEquals(NetAccess.ALL, devices.handledNet());
        assertEquals(Scope.ALL, devices.scoped());
    }

    @Test
    void anErrorInTheSectionsStopsLoading() {
        PolicyException e = assertThrows(PolicyException.class, () -> ruleset("scope: [ptrace]\n"));
        assertEquals(
                "p.yaml:4:9: error: unknown scope 'ptrace'; expected signal, abstract-unix-socket or all\n"
                        + "    scope: [ptrace]\n"
                        + "            ^",
                e.render());
    }
}
