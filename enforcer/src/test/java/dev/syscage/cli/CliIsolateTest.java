package dev.syscage.cli;

import static dev.syscage.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syscage.cli.CliTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands show a policy's {@code isolate:} section as they show its Landlock ruleset:
 * {@code check} (a summary line), {@code disasm} and {@code compile --format disasm} (comments
 * before the program), {@code compile --format json} (an {@code isolate} object); {@code export}
 * refuses it without {@code --degrade} and names what is lost with it.
 */
class CliIsolateTest {
    @TempDir
    Path dir;

    private static final String PLAIN = """
            version: 1
            name: iso
            arch: x86_64
            default: errno EPERM
            rules:
              - action: allow
                syscalls: [read, write, exit_group, execve]
            """;
    private static final String ISO = PLAIN + """
            isolate:
              namespaces: [net, uts]
              read-only: [/]
              writable: [/tmp]
              compat: best-effort
            """;

    private Path policy(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static List<String> isoLines(Path p) {
        return List.of(
                "isolate: namespaces (net, uts), read-only mounts (1 read-only, 1 writable); best-effort",
                "  namespaces: net, uts (besides the pid and mount namespaces of every contained run)",
                "  read-only, recursively: / (" + p + ":8)",
                "  writable beneath them: /tmp");
    }

    @Test
    void checkEndsWithTheSummary() throws IOException {
        Path p = policy("iso.yaml", ISO);
        Run r = run("check", p.toString(), "read");
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out()
                        .endsWith("landlock: none (no filesystem, network or scope section)\n"
                                + isoLines(p).get(0) + "\n"),
                r.out());
        Run none = run("check", policy("plain.yaml", PLAIN).toString(), "read");
        assertFalse(none.out().contains("isolate"), "nothing for a policy without the section: " + none.out());
    }

    @Test
    void disasmPutsTheSectionInCommentsBeforeTheProgram() throws IOException {
        Path p = policy("iso.yaml", ISO);
        Run d = run("disasm", p.toString());
        assertEquals(0, d.code(), d.err());
        String comments = isoLines(p).stream().map(l -> "; " + l + "\n").reduce("", String::concat);
        assertTrue(d.out().startsWith(comments + "0000: ld  [4]"), d.out());
        assertEquals(d.out(), run("compile", p.toString(), "--format", "disasm").out());
        assertTrue(run("disasm", policy("plain.yaml", PLAIN).toString()).out().startsWith("0000: ld  [4]"));
    }

    @Test
    void compileJsonHasAnIsolateObject() throws IOException {
        Path p = policy("iso.yaml", ISO);
        Run j = run("compile", p.toString(), "--format", "json");
        assertEquals(0, j.code(), j.err());
        JsonNode iso = new ObjectMapper().readTree(j.out()).get("isolate");
        assertEquals("[\"net\",\"uts\"]", iso.get("namespaces").toString());
        assertEquals("[\"/\"]", iso.get("read_only").toString());
        assertEquals("[\"/tmp\"]", iso.get("writable").toString());
        assertEquals("best-effort", iso.get("compat").asText());
        assertEquals(p + ":8", iso.get("source").asText());
        JsonNode none = new ObjectMapper()
                .readTree(run("compile", policy("plain.yaml", PLAIN).toString(), "--format", "json")
                        .out())
                .get("isolate");
        assertEquals(0, none.get("namespaces").size());
        assertEquals(0, none.get("read_only").size());
        assertTrue(none.get("source").isNull());
    }

    @Test
    void exportRefusesTheSectionWithoutDegradeAndNamesWhatIsLostWithIt() throws IOException {
        Path p = policy("iso.yaml", ISO);
        Run refused = run("export", p.toString());
        assertEquals(2, refused.code(), refused.err());
        assertEquals(
                p + ":8:1: error: the isolate section (namespaces net, uts, read-only /, writable /tmp) cannot be"
                        + " exported: a seccomp profile has no namespaces or mounts; set them in the runtime's own configuration"
                        + " (OCI linux.namespaces, and mounts with 'ro'), and --degrade errno or --degrade allow exports the"
                        + " seccomp part without it\n"
                        + "    isolate:\n"
                        + "    ^\n"
                        + "1 error\n",
                refused.err());
        assertEquals("", refused.out());
        Run degraded = run("export", p.toString(), "--degrade", "errno");
        assertEquals(0, degraded.code(), degraded.err());
        assertTrue(
                degraded.err()
                        .startsWith(p + ":8: warning: the isolate section (namespaces net, uts, read-only /,"
                                + " writable /tmp) is not exported (a seccomp profile has no namespaces or mounts): set them in the"
                                + " runtime's own configuration (OCI linux.namespaces, and mounts with 'ro')\n"),
                degraded.err());
        assertTrue(degraded.out().contains("\"defaultAction\": \"SCMP_ACT_ERRNO\""), degraded.out());
    }
}
