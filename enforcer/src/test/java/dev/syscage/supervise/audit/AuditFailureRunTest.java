package dev.syscage.supervise.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.syscage.run.RunTest;
import dev.syscage.run.RunTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a run does when its audit log cannot be written (issue 14), for real: on a 64 KiB tmpfs
 * and on /dev/full. By default (--on-log-error stop) the program is stopped and syscage exits 1;
 * with continue it runs to its end and syscage says exactly how many records were lost. Either
 * way the file holds whole records only, and no internal error is reported. A log path that
 * cannot be written at all is bad input before anything runs; and a run without --log writes
 * no log and says nothing about one.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AuditFailureRunTest {
    private static final Pattern LOST = Pattern.compile(
            "syscage: audit log (\\S+): write failed after (\\d+) records \\(No space left on device\\); (\\d+) records were not written");
    /** More than the 4096 calls a stopping run lets the program run ahead of its log. */
    private static final int OPENS = 6000;

    @TempDir
    Path dir;

    private Path small;
    private boolean mounted;

    @BeforeEach
    void smallDisk() throws Exception {
        small = Files.createDirectories(dir.resolve("small"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", small.toString())
                .redirectErrorStream(true)
                .start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        mounted = p.exitValue() == 0;
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            Process p = new ProcessBuilder("umount", small.toString())
                    .redirectErrorStream(true)
                    .start();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
        }
    }

    private Path policy() throws IOException {
        return Files.writeString(dir.resolve("p.yaml"), """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: trace
                    syscalls: [openat, open, execve]
                supervise:
                  default: allow
                """);
    }

    /** {@code opens} with /etc/hostname {@value #OPENS} times: a record each, far more than 64 KiB. */
    private Result run(String log, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "--policy", policy().toString(), "--log", log));
        args.addAll(List.of(options));
        args.add("--");
        args.add(Path.of(System.getProperty("syscage.native.dir", "../native/build"), "testprogs", "opens")
                .toAbsolutePath()
                .toString());
        args.addAll(Collections.nCopies(OPENS, "/etc/hostname"));
        return RunTest.syscage(dir, args.toArray(String[]::new));
    }

    private static void wholeRecordsOnly(Path log, long expected) throws IOException {
        String text = Files.readString(log);
        assertTrue(text.isEmpty() || text.endsWith("\n"), "a cut record at the end");
        assertEquals(expected, text.lines().count());
        AuditSchema.assertValid(text);
    }

    @Test
    void aFullDiskStopsTheProgramByDefault() throws Exception {
        assumeTrue(mounted, "cannot mount a tmpfs here (not root?)");
        Path log = small.resolve("audit.jsonl");
        Result r = run(log.toString());
        assertEquals(1, r.code(), r.err());
        assertFalse(r.err().contains("internal error"), r.err());
        assertTrue(
                r.out().lines().count() < OPENS,
                "the program ran to its end: " + r.out().lines().count());
        Matcher m = LOST.matcher(r.err());
        assertTrue(m.find(), r.err());
        assertTrue(r.err().contains("; the program was stopped\n"), r.err());
        wholeRecordsOnly(log, Long.parseLong(m.group(2)));
        assertTrue(Long.parseLong(m.group(3)) > 0, r.err());
    }

    @Test
    void withContinueTheProgramEndsAndTheLossIsCounted() throws Exception {
        assumeTrue(mounted, "cannot mount a tmpfs here (not root?)");
        Path log = small.resolve("audit.jsonl");
        Path metrics = dir.resolve("metrics.prom");
        Result r = run(log.toString(), "--on-log-error", "continue", "--metrics", metrics.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(
                OPENS,
                r.out().lines().filter(l -> l.equals("/etc/hostname: ok")).count());
        Matcher m = LOST.matcher(r.err());
        assertTrue(m.find(), r.err());
        long written = Long.parseLong(m.group(2));
        long lost = Long.parseLong(m.group(3));
        wholeRecordsOnly(log, written);
        // the metrics say as much: every record not written is counted as lost (the run's closing record too)
        String prom = Files.readString(metrics);
        assertTrue(prom.contains("\nsyscage_audit_records_lost_total " + lost + ".0\n"), prom);
        assertTrue(prom.contains("\nsyscage_audit_records_total " + written + ".0\n"), prom);
        // every open and the program's execve were received and recorded or counted as lost
        assertTrue(written + lost >= OPENS + 1, written + " + " + lost);
        // and the same run on a disk with room has exactly that many records
        Path roomy = dir.resolve("roomy.jsonl");
        Result full = run(roomy.toString(), "--on-log-error", "continue");
        assertEquals(0, full.code(), full.err());
        assertEquals(written + lost, Files.readAllLines(roomy).size(), r.err());
    }

    @Test
    void devFullStopsTheRunWithAClearMessage() throws Exception {
        Result r = run("/dev/full");
        assertEquals(1, r.code(), r.err());
        assertFalse(r.err().contains("internal error"), r.err());
        Matcher m = LOST.matcher(r.err());
        assertTrue(m.find(), r.err());
        assertEquals("/dev/full", m.group(1));
        assertEquals("0", m.group(2));
    }

    @Test
    void aLogPathThatCannotBeWrittenIsBadInputAndNothingRuns() throws Exception {
        Path ran = dir.resolve("ran");
        for (String log :
                List.of("/proc/version", dir.resolve("no/such/dir/a.jsonl").toString())) {
            Result r = RunTest.syscage(
                    dir, "run", "--policy", policy().toString(), "--log", log, "--", "touch", ran.toString());
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().startsWith("syscage: cannot write the audit log " + log + ": "), r.err());
            assertTrue(r.err().endsWith("; nothing was run\n"), r.err());
            assertFalse(Files.exists(ran));
        }
        Result r = RunTest.syscage(dir, "run", "--policy", policy().toString(), "--log", "/proc/version", "--", "true");
        assertEquals(
                "syscage: cannot write the audit log /proc/version: it is on proc, whose files are the kernel's, "
                        + "not a place for a log; nothing was run\n",
                r.err());
        // a run without a supervisor whose log holds Landlock's denials: the same checks, the same answers
        for (String log :
                List.of("/proc/version", dir.resolve("no/such/dir/a.jsonl").toString())) {
            Result plain =
                    RunTest.syscage(dir, "run", "--profile", "default", "--log", log, "--", "touch", ran.toString());
            assertEquals(2, plain.code(), plain.err());
            assertTrue(plain.err().startsWith("syscage: cannot write the audit log " + log + ": "), plain.err());
            assertFalse(Files.exists(ran));
        }
    }

    @Test
    void noLogUnlessAskedAndQuietSaysNothingAboutIt() throws Exception {
        Result plain = RunTest.syscage(dir, "run", "--policy", policy().toString(), "--", "true");
        assertEquals(0, plain.code(), plain.err());
        assertFalse(plain.err().contains("audit log"), plain.err());

        Path log = dir.resolve("a.jsonl");
        Result loud =
                RunTest.syscage(dir, "run", "--policy", policy().toString(), "--log", log.toString(), "--", "true");
        assertTrue(
                loud.err()
                        .matches(
                                "(?s).*syscage: audit log: " + Pattern.quote(log.toString()) + " \\(\\d+ records\\)\n"),
                loud.err());
        Result quiet = RunTest.syscage(
                dir, "run", "-q", "--policy", policy().toString(), "--log", log.toString(), "--", "true");
        assertEquals(0, quiet.code(), quiet.err());
        assertEquals("", quiet.err());
        assertTrue(Files.size(log) > 0);
    }
}
