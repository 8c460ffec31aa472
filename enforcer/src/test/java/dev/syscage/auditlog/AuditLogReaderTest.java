package dev.syscage.auditlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reader types what the schema let through; streamed and whole, it reads the same log the same way. */
class AuditLogReaderTest {
    private static AuditRun read(String log) throws Exception {
        return AuditLogReader.read("t.jsonl", new BufferedReader(new StringReader(log)));
    }

    @Test
    void aCallRecordIsTypedFieldByField() throws Exception {
        String complained = Records.line(Records.call()
                .put("decision", "allow")
                .putNull("errno")
                .putNull("errno_name")
                .put("rule", "complain")
                .putNull("ppid")
                .putNull("uid")
                .putNull("result")
                .set(
                        "would",
                        Records.parse("{\"decision\":\"errno\",\"errno\":13,\"errno_name\":\"EACCES\","
                                + "\"rule\":\"p.yaml:9\",\"by\":\"supervisor\"}")));
        AuditRun run = read(Records.line(Records.call()) + complained + Records.line(Records.end()));
        assertEquals(Records.RUN, run.id());
        CallRecord denied = run.calls().get(0);
        assertEquals(List.of(new CallRecord.Arg("dfd", "dirfd", -100, "AT_FDCWD")), denied.args());
        assertEquals("openat(AT_FDCWD)", denied.callText());
        assertEquals(13, denied.errno());
        assertEquals(-13L, denied.result());
        assertEquals(1L, denied.line());
        assertEquals(1_796_669_435_243_000_000L, denied.epochNanos());
        CallRecord ran = run.calls().get(1);
        assertEquals(new CallRecord.Would("errno", 13, "EACCES", "p.yaml:9", "supervisor"), ran.would());
        assertEquals(-1, ran.ppid());
        assertNull(ran.result());
        assertEquals(List.of("cat", "/etc/shadow"), run.end().orElseThrow().command());
        assertEquals(3, run.end().orElseThrow().calls());
    }

    @Test
    void streamingGivesTheSameCallsAndTheEnd() throws Exception {
        String log =
                Records.line(Records.call()) + Records.line(Records.call().put("seq", 2)) + Records.line(Records.end());
        List<CallRecord> seen = new ArrayList<>();
        AuditLogReader.Summary s =
                AuditLogReader.forEach("t.jsonl", new BufferedReader(new StringReader(log)), seen::add);
        assertEquals(read(log).calls(), seen);
        assertEquals(2, s.calls());
        assertEquals(read(log).end(), s.end());
    }

    @Test
    void aRecordTheSchemaRefusesStopsTheReaderAtItsLine() {
        BadLog e = assertThrows(
                BadLog.class,
                () -> read(Records.line(Records.call())
                        + Records.line(Records.call().put("arch", "sparc"))));
        assertEquals(
                "t.jsonl:2: not an audit record as docs/audit-record.schema.json describes it: $.arch: \"sparc\" is "
                        + "none of [\"x86_64\",\"i386\",\"aarch64\"]",
                e.getMessage());
        BadLog missing = assertThrows(BadLog.class, () -> read("{\"a\":1}\n"));
        assertEquals(
                "t.jsonl:1: not an audit record as docs/audit-record.schema.json describes it: $.record: missing "
                        + "(what the line is: call or end)",
                missing.getMessage());
    }
}
