package dev.syscage.supervise.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.supervise.Complaint;
import dev.syscage.supervise.Decision;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The record schema and its checker: what the writer produces passes, each kind of wrong record fails. */
class AuditSchemaTest {
    private static String written(Decision d, Long result) {
        StringWriter sink = new StringWriter();
        try (AuditLog log = AuditLog.to(sink, "t", AuditFormat.JSONL, LogLevel.ALL, 8, e -> {})) {
            FakeCall call = FakeCall.openat(7, 1234, 1235);
            log.record(call, null, d, "/etc/real", result, "rules", 10);
        }
        return sink.toString();
    }

    @Test
    void everyDecisionTheWriterMakesFollowsTheSchema() {
        for (String log : List.of(
                written(Decision.errno(13, "p.yaml:3"), -13L),
                written(Decision.allow("p.yaml:2"), 3L),
                written(Decision.kill("p.yaml:4"), null),
                written(Decision.interrupted(Decision.allow("p.yaml:2")), null),
                written(Decision.complained(new Complaint("errno", 13, "p.yaml:3", "filter")), null),
                written(Decision.complained(new Complaint("kill", 0, "p.yaml:9", "supervisor")), null),
                written(Decision.complained(new Complaint("trap", 0, "default p.yaml:1", "filter")), null))) {
            AuditSchema.assertValid(log); // each its own run: a log holds one
        }
    }

    @Test
    void aComplaintSaysTheCallRanAndWhatThePolicyWouldHaveDone() throws Exception {
        String line = written(Decision.complained(new Complaint("errno", 13, "p.yaml:3", "filter")), null);
        com.fasterxml.jackson.databind.JsonNode r = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
        assertEquals("allow", r.get("decision").asText());
        assertEquals("complain", r.get("rule").asText());
        assertEquals(
                "{\"decision\":\"errno\",\"errno\":13,\"errno_name\":\"EACCES\",\"rule\":\"p.yaml:3\","
                        + "\"by\":\"filter\"}",
                r.get("would").toString());
        assertEquals(
                List.of("$.would.decision: \"allow\" is none of [\"errno\",\"kill\",\"trap\"]"),
                AuditSchema.problems(line.strip()
                        .replace("\"would\":{\"decision\":\"errno\"", "\"would\":{\"decision\":\"allow\"")));
        assertEquals(
                List.of("$.would: missing"),
                AuditSchema.problems(line.strip().replace("\"would\":", "\"w\":"))
                        .subList(0, 1));
    }

    @Test
    void eachKindOfMistakeIsNamed() {
        String good = written(Decision.allow("p.yaml:2"), 3L).strip();
        assertEquals(List.of(), AuditSchema.problems(good));
        assertEquals(
                List.of("$.args[0].value: an integer where the schema says \"string\""),
                AuditSchema.problems(good.replace("\"value\":\"0xffffffffffffff9c\"", "\"value\":42")));
        assertEquals(List.of("$.seq: missing"), AuditSchema.problems(good.replace("\"seq\":7,", "")));
        assertEquals(
                List.of("$.extra: not in the schema"),
                AuditSchema.problems(good.replace("{\"version\"", "{\"extra\":1,\"version\"")));
        assertEquals(
                List.of("$.decision: \"maybe\" is none of [\"allow\",\"errno\",\"kill\",\"interrupted\"]"),
                AuditSchema.problems(good.replace("\"decision\":\"allow\"", "\"decision\":\"maybe\"")));
        assertEquals(
                List.of("$.ts: \"2024-05-01T12:34:56.123Z\" does not match "
                        + "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z$"),
                AuditSchema.problems(good.replace("12:34:56.000000013Z", "12:34:56.123Z")));
        assertThrows(AssertionError.class, () -> AuditSchema.assertValid(good + "\n{}\n"));
    }
}
