package dev.syscage.supervise.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syscage.auditlog.AuditLogReader;
import dev.syscage.auditlog.AuditRun;
import dev.syscage.auditlog.BadLog;
import dev.syscage.auditlog.RecordSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The tests' side of docs/audit-record.schema.json: a log read by {@link AuditLogReader} (the
 * reader {@code syscage report} and {@code suggest} use, which checks every line with
 * {@link RecordSchema}), failing with the line and what is wrong with it.
 */
public final class AuditSchema {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditSchema() {}

    /** What the schema finds wrong with {@code line} (one JSONL record), each as "$.field: problem"; empty when it is valid. */
    public static List<String> problems(String line) {
        JsonNode record;
        try {
            record = JSON.readTree(line);
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
        return RecordSchema.problems(record);
    }

    /** Fails unless {@code jsonl} is a log the reader reads; the run it holds. */
    public static AuditRun assertValid(String jsonl) {
        try {
            return AuditLogReader.read("log", new BufferedReader(new StringReader(jsonl)));
        } catch (BadLog e) {
            throw new AssertionError(
                    "audit records that do not follow docs/audit-record.schema.json: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As {@link #assertValid(String)}, for a log file, read a line at a time (logs of a million records). */
    public static AuditLogReader.Summary assertValid(Path log) {
        try (BufferedReader in = AuditLogReader.open(log.toString(), java.io.InputStream.nullInputStream())) {
            return AuditLogReader.forEach(log.toString(), in, c -> {});
        } catch (BadLog e) {
            throw new AssertionError(
                    "audit records that do not follow docs/audit-record.schema.json: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
