package dev.syscage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.run.NotifySupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --dry-run}: the launcher's whole command line, shell-quoted, and a program that
 * cannot start is said, with the status the run would have (127 not found, 126 not executable).
 */
class DryRunTest {
    @TempDir
    Path dir;

    private static String wouldRun(CliTest.Run r) {
        return r.out()
                .lines()
                .filter(l -> l.startsWith("would run: "))
                .findFirst()
                .orElseThrow(() -> new AssertionError(r.out()))
                .substring("would run: ".length());
    }

    @Test
    void printsTheLauncherCommandShellQuoted() {
        CliTest.Run r = CliTest.run("run", "--profile", "default", "--dry-run", "--", "sh", "-c", "echo 'a b' $HOME");
        assertEquals(0, r.code(), r.err());
        String line = wouldRun(r);
        assertTrue(
                line.matches("/\\S+/syscage-launch --filter '<filter-memfd>' .*--contain .*--report-pid '<pid-pipe>'"
                        + " -- sh -c 'echo '\\\\''a b'\\\\'' \\$HOME'"),
                line);
        assertTrue(line.contains("--landlock '<ruleset-memfd>'") || !r.out().contains("all of it enforced"), line);
    }

    @Test
    void quotingReadsBackAsTheSameWords() throws Exception {
        List<String> words = List.of("plain", "", "a b", "it's", "$x", "*", "new\nline", "-o", "x=y,z");
        Process p = new ProcessBuilder(
                        "sh", "-c", "for w in " + DryRun.shellQuote(words) + "; do printf '[%s]' \"$w\"; done")
                .redirectErrorStream(true)
                .start();
        String got = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor());
        assertEquals("[plain][][a b][it's][$x][*][new\nline][-o][x=y,z]", got);
    }

    @Test
    void supervisedModesShowTheirHandshake() throws IOException {
        Path p = dir.resolve("traced.yaml");
        Files.writeString(
                p,
                "version: 1\ninclude: [default]\ndefault: errno EPERM\nrules:\n  - action: trace\n"
                        + "    syscalls: [openat]\nsupervise:\n  default: allow\n");
        CliTest.Run trace = CliTest.run("run", "--policy", p.toString(), "--mode", "trace", "--dry-run", "--", "true");
        assertEquals(0, trace.code(), trace.err());
        assertTrue(
                wouldRun(trace).contains(" --trace-handshake '<report-pipe>,<go-pipe>' --tracer '<tracer-tid>' "),
                wouldRun(trace));
        if (NotifySupport.ofThisKernel().available()) {
            CliTest.Run notify = CliTest.run(
                    "run",
                    "--policy",
                    p.toString(),
                    "--mode",
                    "notify",
                    "--notify-wait",
                    "interruptible",
                    "--dry-run",
                    "--",
                    "true");
            assertEquals(0, notify.code(), notify.err());
            String line = wouldRun(notify);
            assertTrue(
                    line.contains(" --notify-handshake '<report-pipe>,<go-pipe>' --notify-socket '<handoff-socket>' ")
                            && line.contains(" --notify-interruptible "),
                    line);
            CliTest.Run pidfd = CliTest.run(
                    "run",
                    "--policy",
                    p.toString(),
                    "--mode",
                    "notify",
                    "--listener-handoff",
                    "pidfd",
                    "--dry-run",
                    "--",
                    "true");
            assertEquals(0, pidfd.code(), pidfd.err());
            assertTrue(
                    !wouldRun(pidfd).contains("--notify-socket")
                            && !wouldRun(pidfd).contains("--notify-interruptible"),
                    wouldRun(pidfd));
        }
    }

    @Test
    void aProgramThatIsNotThereIsSaid() {
        CliTest.Run r = CliTest.run("run", "--profile", "default", "--dry-run", "--", "no-such-program-here");
        assertEquals(127, r.code(), r.err());
        assertTrue(
                r.err()
                        .endsWith("syscage: the program cannot start: no-such-program-here: command not found in PATH ("
                                + System.getenv("PATH") + ")\n"),
                r.err());
        assertTrue(wouldRun(r).endsWith(" -- no-such-program-here"), r.out());
        Path missing = dir.resolve("gone");
        CliTest.Run abs = CliTest.run("run", "--profile", "default", "--dry-run", "--", missing.toString());
        assertEquals(127, abs.code());
        assertTrue(abs.err().endsWith("syscage: the program cannot start: " + missing + ": no such file\n"), abs.err());
    }

    @Test
    void aProgramThatCannotBeExecutedIsSaid() throws IOException {
        Path script = dir.resolve("script.sh");
        Files.writeString(script, "#!/bin/sh\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        CliTest.Run r = CliTest.run("run", "--profile", "default", "--dry-run", "--", script.toString());
        assertEquals(126, r.code(), r.err());
        assertTrue(
                r.err()
                        .endsWith("syscage: the program cannot start: " + script + ": cannot execute: it is not a"
                                + " regular file with execute permission\n"),
                r.err());
        CliTest.Run d = CliTest.run("run", "--profile", "default", "--dry-run", "--", dir.toString());
        assertEquals(126, d.code(), d.err());
    }
}
