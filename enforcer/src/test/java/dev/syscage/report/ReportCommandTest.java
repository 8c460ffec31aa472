package dev.syscage.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
        JsonNode end = RealRun.lines(log).get(RealRun.lines(log).size() - 1);
        long calls = RealRun.supervised(log).size();
        assertEquals(calls, end.get("calls").asLong(), "log: all records every call");
        assertTrue(r.out().startsWith("run " + end.get("run").asText() + "\ncommand: /bin/sh -c "), r.out());
        assertTrue(r.out().contains("\n" + calls + " calls numbered by the supervisor: every one recorded (seq has no gaps)\n"),
                r.out());
        long denied = RealRun.counts(log).get("openat").getOrDefault("errno", 0L);
        // opens' /etc/hostname and denied/secret, and the three threads' two opens of denied/secret each
        assertEquals(8, denied, RealRun.counts(log).toString());
    }

    @Test
    void underLogLevelDeniedTheClosingRecordAccountsForEveryGap() throws Exception {
        RealRun.run(dir, "--log-level", "denied");
        Path log = dir.resolve("audit.jsonl");
        List<JsonNode> calls = RealRun.supervised(log);
        List<JsonNode> lines = RealRun.lines(log);
        JsonNode end = lines.get(lines.size() - 1);
        assertEquals("end", end.get("record").asText());
        assertEquals("denied", end.get("log_level").asText());
        assertTrue(calls.stream().allMatch(n -> n.get("decision").asText().equals("errno")), calls.toString());
        assertEquals(calls.size(), end.get("recorded").asLong());
        assertEquals(end.get("calls").asLong(), end.get("recorded").asLong() + end.get("unrecorded").asLong());
        assertTrue(end.get("unrecorded").asLong() > 0, "the allowed opens are not recorded: " + end);
        long maxSeq = calls.stream().mapToLong(n -> n.get("seq").asLong()).max().orElse(0);
        assertTrue(maxSeq <= end.get("calls").asLong(), maxSeq + " > " + end);
        RunTest.Result text = RealRun.report("--format", "text", log.toString());
        assertTrue(text.out().contains("\n" + end.get("calls").asLong() + " calls numbered by the supervisor: "
                + calls.size() + " recorded, " + end.get("unrecorded").asLong()
                + " not recorded by log level denied (the gaps in seq)\n"), text.out());
        RunTest.Result html = RealRun.report(log.toString());
        assertTrue(html.out().contains("<p id=\"coverage\" data-calls=\"" + end.get("calls").asLong() + "\" data-recorded=\""
                + calls.size() + "\" data-unrecorded=\"" + end.get("unrecorded").asLong() + "\">"), html.out());
    }

    @Test
    void theOutputGoesToAFileOrToStandardOutput() throws Exception {
        Path log = Files.writeString(dir.resolve("one.jsonl"), ReportInputTest.CALL + "\n" + ReportInputTest.END + "\n");
        RunTest.Result toFile = RealRun.report(log.toString(), "-o", dir.resolve("r.html").toString());
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
