package dev.syscage.cli;

import static dev.syscage.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.cli.CliTest.Run;
import dev.syscage.policy.bpf.Program;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code syscage compile --stats} and {@code --no-pass}: the optimizer's steps where a user looks. */
class CompileStatsCliTest {
    private static final Path DEFAULT = Path.of("../profiles/default.yaml");
    private static final Pattern TOTAL = Pattern.compile("(\\d+) -> (\\d+) instructions");

    @TempDir
    Path dir;

    @Test
    void statsShowEachStepAndAddUpToTheProgramWritten() throws IOException {
        Path out = dir.resolve("d.bpf");
        Run r = run("compile", DEFAULT.toString(), "--arch", "x86_64", "--stats", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        int length = Program.fromBytes(Files.readAllBytes(out)).length();
        for (String step : new String[] {
            "lower",
            "search-tree",
            "coalesce-ranges",
            "weighted-tree",
            "shared-tails",
            "redundant-loads",
            "layout",
            "limits",
            "verify"
        }) {
            assertTrue(r.err().contains("\n" + step + " "), step + " missing:\n" + r.err());
        }
        Matcher m = TOTAL.matcher(r.err());
        assertTrue(m.find(), r.err());
        assertEquals(length, Integer.parseInt(m.group(2)), r.err());
        Run none = run("compile", DEFAULT.toString(), "--arch", "x86_64", "--no-optimize", "--format", "disasm");
        assertEquals(0, none.code(), none.err());
        assertEquals(
                Integer.parseInt(m.group(1)),
                none.out().lines().filter(l -> l.matches("\\s*\\d+:.*")).count(),
                none.out());
    }

    @Test
    void aPassLeftOutByNameShowsAsOffAndMakesALongerProgram() throws IOException {
        Path all = dir.resolve("all.bpf");
        Path fewer = dir.resolve("fewer.bpf");
        assertEquals(
                0,
                run("compile", DEFAULT.toString(), "--arch", "x86_64", "-o", all.toString())
                        .code());
        Run r = run(
                "compile",
                DEFAULT.toString(),
                "--arch",
                "x86_64",
                "--no-pass",
                "shared-tails",
                "--stats",
                "-o",
                fewer.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("shared-tails") && l.endsWith("off")), r.err());
        assertTrue(Files.size(fewer) > Files.size(all), Files.size(fewer) + " bytes, all passes " + Files.size(all));
    }

    @Test
    void anUnknownPassIsABadInputNamingTheKnownOnes() {
        Run r = run("compile", DEFAULT.toString(), "--no-pass", "tails", "--format", "disasm");
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(
                r.err()
                        .contains("unknown optimizer pass 'tails' (known: coalesce-ranges, weighted-tree, "
                                + "shared-tails, redundant-loads)"),
                r.err());
    }
}
