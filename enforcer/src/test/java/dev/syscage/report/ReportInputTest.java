package dev.syscage.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.auditlog.Records;
import dev.syscage.run.RunTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to {@code syscage report}: exit 2, the file and line, what is wrong, never a stack trace. */
class ReportInputTest {
    static final String RUN = Records.RUN;
    static final String CALL = Records.call().toString();
    static final String END = Records.end().toString();

    @TempDir
    Path dir;

    private RunTest.Result report(String text, String... options) throws Exception {
        Path log = Files.writeString(dir.resolve("a.jsonl"), text);
        String[] args = new String[options.length + 1];
        System.arraycopy(options, 0, args, 0, options.length);
        args[options.length] = log.toString();
        return RealRun.report(args);
    }

    private void bad(String expected, RunTest.Result r) {
        assertEquals(2, r.code(), r.err());
        assertEquals(
                "syscage: " + expected.replace("LOG", dir.resolve("a.jsonl").toString()) + "\n", r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertEquals("", r.out());
    }

    @Test
    void complainModesCallsAreShownWithTheDenialTheyWouldHaveHad() throws Exception {
        String complained = CALL.replace(
                "\"decision\":\"errno\",\"errno\":13,\"errno_name\":\"EACCES\",\"rule\":\"p.yaml:9\","
                        + "\"would\":null,\"result\":-13",
                "\"decision\":\"allow\",\"errno\":null,\"errno_name\":null,"
                        + "\"rule\":\"complain\",\"would\":{\"decision\":\"errno\",\"errno\":13,\"errno_name\":\"EACCES\","
                        + "\"rule\":\"p.yaml:9\",\"by\":\"supervisor\"},\"result\":3");
        assertNotEquals(CALL, complained);
        RunTest.Result text = report(complained + "\n" + END + "\n", "--format", "text");
        assertEquals(0, text.code(), text.err());
        assertTrue(
                text.out()
                        .contains("\ncomplain mode: 1 call ran that the policy would have denied (counted as allow "
                                + "below)\n"),
                text.out());
        RunTest.Result html = report(complained + "\n" + END + "\n");
        assertEquals(0, html.code(), html.err());
        String page = html.out();
        assertTrue(page.contains("<section id=\"denied\"><h2>Denied calls</h2>\n<p class=\"note\">None.</p>"), page);
        String section = page.substring(page.indexOf("<section id=\"complained\">"));
        assertTrue(
                section.contains("<td data-field=\"outcome\" class=\"o-errno\">would be EACCES</td>"
                        + "<td data-field=\"rule\">p.yaml:9</td>"),
                section);
    }

    @Test
    void aGoodLogMakesATable() throws Exception {
        RunTest.Result r = report(CALL + "\n" + END + "\n", "--format", "text");
        assertEquals(0, r.code(), r.err());
        assertEquals(
                "run " + RUN + "\ncommand: cat /etc/shadow\npolicy: p (p.yaml); mode notify; log level denied\n"
                        + "started 2026-12-07T18:50:35.000000000Z, ended 2026-12-07T18:50:36.000000000Z, exit 1\n"
                        + "3 calls numbered by the supervisor: 1 recorded, 2 not recorded by log level denied (the gaps in seq)\n\n"
                        + "    calls    errors     kills      intr  total usecs  usecs/call syscall\n"
                        + "--------- --------- --------- --------- ------------ ----------- ----------------\n"
                        + "        1         1         0         0        1.000       1.000 openat\n"
                        + "--------- --------- --------- --------- ------------ ----------- ----------------\n"
                        + "        1         1         0         0        1.000       1.000 total\n",
                r.out());
    }

    @Test
    void aLogWithoutItsClosingRecordSaysSo() throws Exception {
        RunTest.Result r = report(CALL + "\n", "--format", "text");
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out()
                        .startsWith("run " + RUN + "\nno closing record: the log ends before the run did (syscage was "
                                + "stopped, or the log could not be written to its end), or the run had no supervisor (Landlock's "
                                + "records only); 1 call record\n\n"),
                r.out());
    }

    @Test
    void aMissingFileOrADirectory() throws Exception {
        bad(
                "cannot read LOG: no such file",
                RealRun.report(dir.resolve("a.jsonl").toString()));
        Files.createDirectory(dir.resolve("a.jsonl"));
        bad(
                "cannot read LOG: is a directory",
                RealRun.report(dir.resolve("a.jsonl").toString()));
    }

    @Test
    void notJsonNamesTheLine() throws Exception {
        bad(
                "LOG:2: not JSON: Unrecognized token 'hello': was expecting (JSON String, Number, Array, Object or token "
                        + "'null', 'true' or 'false')",
                report(CALL + "\nhello\n"));
        bad(
                "LOG:2: not JSON: Unexpected end-of-input: was expecting closing quote for a string value",
                report(CALL + "\n" + CALL.substring(0, 100) + "\n"));
        bad("LOG:1: an empty line where a record should be", report("\n" + CALL + "\n"));
        bad(
                "LOG:1: not UTF-8 text (an audit log is JSON Lines, in UTF-8)",
                reportBytes(new byte[] {'{', (byte) 0xff, '}'}));
    }

    private RunTest.Result reportBytes(byte[] bytes) throws Exception {
        Path log = Files.write(dir.resolve("a.jsonl"), bytes);
        return RealRun.report(log.toString());
    }

    @Test
    void aRecordTheSchemaRefusesNamesTheLineAndTheField() throws Exception {
        bad(
                "LOG:2: not an audit record as docs/audit-record.schema.json describes it: $.seq: a string where the schema "
                        + "says \"integer\"",
                report(CALL + "\n" + CALL.replace("\"seq\":1", "\"seq\":\"2\"") + "\n"));
        bad(
                "LOG:1: not an audit record as docs/audit-record.schema.json describes it: $.extra: not in the schema; "
                        + "$.decision: \"maybe\" is none of [\"allow\",\"errno\",\"kill\",\"interrupted\"]",
                report(CALL.replace("\"errno\",\"errno\"", "\"maybe\",\"errno\"")
                                .replace("{\"version\"", "{\"extra\":1,\"version\"")
                        + "\n"));
        bad(
                "LOG:1: not an audit record as docs/audit-record.schema.json describes it: $: an array where the schema says "
                        + "\"object\"",
                report("[]\n"));
        bad(
                "LOG:1: a record of version 1; this syscage reads version 2 (docs/audit-record.schema.json)",
                report(CALL.replace("\"version\":2,\"record\":\"call\",", "\"version\":1,") + "\n"));
        bad(
                "LOG:1: ts \"2026-13-07T18:50:35.243000000Z\" is not a time",
                report(CALL.replace("2026-12-07T18:50:35", "2026-13-07T18:50:35") + "\n"));
    }

    @Test
    void aLogHoldsOneRun() throws Exception {
        String other = CALL.replace(RUN, "0f6c1d2e-0000-4000-8000-00000000cafe");
        bad(
                "LOG:2: a record of run 0f6c1d2e-0000-4000-8000-00000000cafe after records of run " + RUN
                        + " (a log holds one run)",
                report(CALL + "\n" + other + "\n"));
        bad(
                "LOG:3: a record after the run's closing record (a log holds one run)",
                report(CALL + "\n" + END + "\n" + CALL + "\n"));
    }

    @Test
    void anUnknownFormatOrAnUnwritableOutput() throws Exception {
        bad("unknown --format 'pdf' (choose html or text)", report(CALL + "\n", "--format", "pdf"));
        RunTest.Result r =
                report(CALL + "\n", "-o", dir.resolve("no/such/dir/r.html").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("syscage: cannot write " + dir.resolve("no/such/dir/r.html") + ": "), r.err());
    }

    @Test
    void whatTheProgramChoseIsEscapedOnThePage() throws Exception {
        String hostile = CALL.replace("\"path\":\"/etc/shadow\"", "\"path\":\"<script>alert(1)</script>\"")
                .replace("\"comm\":\"cat\"", "\"comm\":\"a\\\"b'<i>\"");
        RunTest.Result r = report(hostile + "\n");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().contains("<script>"), r.out());
        assertFalse(r.out().contains("<i>"), r.out());
        assertTrue(r.out().contains("&lt;script&gt;alert(1)&lt;/script&gt;"), r.out());
    }
}
