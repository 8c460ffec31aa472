package dev.syscage.auditlog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.syscage.schema.JsonSchema;
import java.util.List;

/** docs/audit-record.schema.json (built into the jar beside this class), checked by {@link JsonSchema}. */
public final class RecordSchema {
    static final String RESOURCE = "audit-record.schema.json";

    private RecordSchema() {}

    /** Read once, when first asked for. */
    private static final class Holder {
        static final JsonSchema SCHEMA = JsonSchema.resource(RecordSchema.class, RESOURCE);
    }

    /** What is wrong with one record, each as "$.field: problem"; empty when it is valid. */
    public static List<String> problems(JsonNode record) {
        return Holder.SCHEMA.problems(record);
    }
}
