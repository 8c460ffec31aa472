package dev.syscage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code syscage import}: positioned refusals, and runc's leniency only when asked for. */
class CliImportTest {
    @TempDir
    Path dir;

    private static final String TYPO = """
            {"defaultAction": "SCMP_ACT_ALLOW",
             "syscalls": [{"names": ["Ptrace"], "action": "SCMP_ACT_KILL_PROCESS"}]}
            """;

    @Test
    void aDenyOfNoKnownSyscallIsAnErrorAtItsPosition() throws IOException {
        Path p = dir.resolve("typo.json");
        Files.writeString(p, TYPO);
        CliTest.Run r = CliTest.run("import", p.toString(), "--arch", "x86_64", "--kernel", "6.18");
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(
                r.err()
                        .contains(
                                "typo.json:2:15: error: syscalls[0] (kill) names only syscalls unknown on x86_64: Ptrace;"
                                        + " runc would drop the entry and deny less than the profile says (fix the names, or --lenient drops it"
                                        + " as runc does)\n"
                                        + "     \"syscalls\": [{\"names\": [\"Ptrace\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"}]}\n"
                                        + "                  ^\n"),
                r.err());
        assertEquals("", r.out());
    }

    @Test
    void lenientDropsItAndSaysSo() throws IOException {
        Path p = dir.resolve("typo.json");
        Files.writeString(p, TYPO);
        CliTest.Run r = CliTest.run("import", p.toString(), "--arch", "x86_64", "--kernel", "6.18", "--lenient");
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.err()
                        .contains(
                                "warning: syscalls[0] (kill) names only syscalls unknown on x86_64: Ptrace; dropped as"
                                        + " runc drops it (--lenient): the profile denies less than it says"),
                r.err());
        assertTrue(
                r.out()
                        .contains("# Deny entries dropped as runc drops them (--lenient):\n"
                                + "#   syscalls[0] (kill) names only syscalls unknown on x86_64: Ptrace\n"),
                r.out());
        assertTrue(r.out().contains("rules: []"), r.out());
    }
}
