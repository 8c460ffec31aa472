package dev.syscage.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The checker's Kubernetes reading and its refusal of what it does not understand (the audit
 * records' JSON Schema reading is AuditSchemaTest's and ReportInputTest's).
 */
class JsonSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CRD = """
            spec:
              versions:
              - name: v1
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      conditions:
                        type: array
                        x-kubernetes-list-type: map
                        x-kubernetes-list-map-keys: [type]
                        items:
                          type: object
                          properties:
                            type: {type: string, minLength: 1, maxLength: 3}
                            at: {type: string, format: date-time}
                      free: {type: object, x-kubernetes-preserve-unknown-fields: true, properties: {a: {type: string}}}
            """;

    @Test
    void mapListsLengthsDatesAndPruning() throws Exception {
        JsonSchema s = JsonSchema.ofCrd(CRD, "v1");
        assertEquals(
                List.of(),
                s.problems(JSON.readTree("{\"conditions\":[{\"type\":\"a\",\"at\":"
                        + "\"2026-12-08T00:00:00Z\"},{\"type\":\"b\"}],\"free\":{\"b\":1}}")));
        assertEquals(
                List.of(
                        "$.conditions: {\"type\":\"a\"} appears twice in a map",
                        "$.conditions[1].type: 4 characters, more than 3",
                        "$.conditions[2].type: 0 characters, fewer than 1",
                        "$.conditions[2].at: \"yesterday\" is not a date-time",
                        "$.extra: not in the schema (the API server would drop it)"),
                s.problems(JSON.readTree("{\"conditions\":[{\"type\":\"a\"},{\"type\":\"abcd\"},{\"type\":\"\",\"at\":"
                        + "\"yesterday\"},{\"type\":\"a\"}],\"extra\":1}")));
    }

    @Test
    void aKeywordOrFormatItDoesNotKnowFailsEveryCheck() throws Exception {
        JsonSchema s = JsonSchema.ofCrd(
                CRD.replace("minLength: 1", "minLength: 1, uniqueItems: true")
                        .replace("format: date-time", "format: uuid"),
                "v1");
        assertEquals(
                List.of(
                        "schema.properties.conditions.items.properties.type: schema keyword 'uniqueItems' is not understood by "
                                + "this checker",
                        "schema.properties.conditions.items.properties.at: schema format 'uuid' is not understood by this checker"),
                s.problems(JSON.readTree("{}")));
    }
}
