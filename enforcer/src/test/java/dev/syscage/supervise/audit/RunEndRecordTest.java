package dev.syscage.supervise.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.supervise.Decision;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The run's closing record: the last line, after every call's, with counts that explain each gap
 * in {@code seq} (under log: denied only the denied calls have records).
 */
class RunEndRecordTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void underLogDeniedTheClosingRecordCountsTheCallsItLeftOut() throws Exception {
        StringWriter sink = new StringWriter();
        try (AuditLog log = AuditLog.to(sink, "t", AuditFormat.JSONL, LogLevel.DENIED, 8, e -> {})) {
            for (int seq = 1; seq <= 10; seq++) {
                Decision d = seq % 4 == 0 ? Decision.errno(13, "p.yaml:9") : Decision.allow("p.yaml:3");
                log.record(FakeCall.openat(seq, 100, 100), null, d, null, null, "rules", 5);
            }
            log.end(new RunEnd("p (p.yaml)", "notify", List.of("opens", "a b"), 0, 10));
        }
        List<String> lines = sink.toString().lines().toList();
        AuditSchema.assertValid(sink.toString());
        assertEquals(3, lines.size(), sink.toString());
        assertEquals(
                List.of(4L, 8L),
                lines.subList(0, 2).stream()
                        .map(l -> read(l).get("seq").asLong())
                        .toList());
        JsonNode end = read(lines.get(2));
        assertEquals("end", end.get("record").asText());
        assertEquals(read(lines.get(0)).get("run"), end.get("run"));
        assertEquals("p (p.yaml)", end.get("policy").asText());
        assertEquals("[\"opens\",\"a b\"]", end.get("command").toString());
        assertEquals("denied", end.get("log_level").asText());
        assertEquals(10, end.get("calls").asLong());
        assertEquals(2, end.get("recorded").asLong());
        assertEquals(8, end.get("unrecorded").asLong());
        assertEquals(0, end.get("landlock").asLong());
        assertTrue(end.get("started").asText().compareTo(end.get("ts").asText()) <= 0, end.toString());
    }

    @Test
    void theTextFormatHasNoClosingRecord() {
        StringWriter sink = new StringWriter();
        try (AuditLog log = AuditLog.to(sink, "t", AuditFormat.TEXT, LogLevel.ALL, 8, e -> {})) {
            log.record(FakeCall.openat(1, 100, 100), null, Decision.allow("p.yaml:3"), null, 3L, "rules", 5);
            log.end(new RunEnd("p (p.yaml)", "notify", List.of("opens"), 0, 1));
            log.close();
            assertEquals(1, log.written());
        }
        assertEquals(1, sink.toString().lines().count(), sink.toString());
    }

    @Test
    void aLineOfNeitherKindIsNamed() {
        String end = "{\"version\":2,\"record\":\"end\",\"run\":\"0f6c0000-0000-4000-8000-000000000000\","
                + "\"ts\":\"2024-05-01T12:34:56.000000013Z\",\"started\":\"2024-05-01T12:34:55.000000013Z\","
                + "\"policy\":\"p\",\"mode\":\"trace\",\"command\":[\"x\"],\"log_level\":\"all\",\"exit\":0,\"calls\":1,"
                + "\"recorded\":1,\"unrecorded\":0,\"landlock\":0}";
        assertEquals(List.of(), AuditSchema.problems(end));
        assertEquals(
                List.of("$.calls: a string where the schema says \"integer\""),
                AuditSchema.problems(end.replace("\"calls\":1", "\"calls\":\"1\"")));
        assertEquals(
                List.of("$.record: \"start\" is none of [call, end] (what the line is: call or end)"),
                AuditSchema.problems(end.replace("\"record\":\"end\"", "\"record\":\"start\"")));
        assertEquals(List.of("$: an array where the schema says \"object\""), AuditSchema.problems("[1]"));
    }

    private static JsonNode read(String line) {
        try {
            return JSON.readTree(line);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
