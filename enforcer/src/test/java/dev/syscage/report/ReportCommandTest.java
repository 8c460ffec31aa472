package dev.syscage.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.auditlog.CallRecord;
import dev.syscage.auditlog.EndRecord;
import dev.syscage.run.RunTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code syscage report} without a browser: the text table of a real run is the table that
 * run's {@code --summary} printed; a run under {@code --log-level denied} says where its gaps in
 * {@code seq} come from; the HTML has the numbers the log has.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ReportCommandTest {
    @TempDir
    Path dir;

    @Test
    void theTextTableOfARunIsTheTableItsSummaryPrinted() throws Exception {
        RunTest.Result run = RealRun.run(dir, "--summary");
        Path log = dir.resolve("audit.jsonl");
        String summary = run.err().substring(run.err().indexOf("    calls    errors"));
        summary = summary.substring(0, summary.indexOf(" total\n") + " total\n".length());
        RunTest.Result r = RealRun.report("--format", "text", log.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().endsWith("\n\n" + summary), "report:\n" + r.out() + "\nsummary:\n" + summary);
        EndRecord end = RealRun.end(log);
        long calls = RealRun.supervised(log).size();
        assertEquals(calls, end.calls(), "log: all records every call");
        assertTrue(r.out().startsWith("run " + RealRun.read(log).id() + "\ncommand: /bin/sh -c "), r.out());
        assertTrue(
                r.out()
                        .contains("\n" + calls
                                + " calls numbered by the supervisor: every one recorded (seq has no gaps)\n"),
                r.out());
        long denied = RealRun.counts(log).get("openat").getOrDefault("errno", 0L);
        // opens' /etc/hostname and denied/secret, and the three threads' two opens of denied/secret each
        assertEquals(8, denied, RealRun.counts(log).toString());
    }

    @Test
    void underLogLevelDeniedTheClosingRecordAccountsForEveryGap() throws Exception {
        RealRun.run(dir, "--log-level", "denied");
        Path log = dir.resolve("audit.jsonl");
        List<CallRecord> calls = RealRun.supervised(log);
        EndRecord end = RealRun.end(log);
        assertEquals("denied", end.logLevel());
        assertTrue(calls.stream().allMatch(c -> c.decision().equals("errno")), calls.toString());
        assertEquals(calls.size(), end.recorded());
        assertEquals(end.calls(), end.recorded() + end.unrecorded());
        assertTrue(end.unrecorded() > 0, "the allowed opens are not recorded: " + end);
        long maxSeq = calls.stream().mapToLong(CallRecord::seq).max().orElse(0);
        assertTrue(maxSeq <= end.calls(), maxSeq + " > " + end);
        RunTest.Result text = RealRun.report("--format", "text", log.toString());
        assertTrue(
                text.out()
                        .contains("\n" + end.calls() + " calls numbered by the supervisor: "
                                + calls.size() + " recorded, " + end.unrecorded()
                                + " not recorded by log level denied (the gaps in seq)\n"),
                text.out());
        RunTest.Result html = RealRun.report(log.toString());
        assertTrue(
                html.out()
                        .contains("<p id=\"coverage\" data-calls=\"" + end.calls() + "\" data-recorded=\""
                                + calls.size() + "\" data-unrecorded=\"" + end.unrecorded() + "\">"),
                html.out());
    }

    @Test
    void theOutputGoesToAFileOrToStandardOutput() throws Exception {
        Path log =
                Files.writeString(dir.resolve("one.jsonl"), ReportInputTest.CALL + "\n" + ReportInputTest.END + "\n");
        RunTest.Result toFile =
                RealRun.report(log.toString(), "-o", dir.resolve("r.html").toString());
        assertEquals(0, toFile.code(), toFile.err());
        assertEquals("", toFile.out());
        String page = Files.readString(dir.resolve("r.html"));
        RunTest.Result toOut = RealRun.report(log.toString(), "-o", "-");
        assertEquals(page, toOut.out());
        assertFalse(Files.exists(dir.resolve("-")));
        assertTrue(page.startsWith("<!DOCTYPE html>"), page);
        assertFalse(page.contains("<script"), "no script: " + page);
        assertFalse(page.matches("(?s).*(src|href)=\"(https?:)?//.*"), "nothing fetched: " + page);
    }
}
