package dev.syscage.supervise.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tests' side of docs/audit-record.schema.json: every line of a log checked by
 * {@link RecordSchema} (the checker {@code syscage report} uses too), failing with each problem
 * and the line it is on.
 */
public final class AuditSchema {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditSchema() {
    }

    /** What is wrong with {@code line} (one JSONL record), each as "field: problem"; empty when it is valid. */
    public static List<String> problems(String line) {
        JsonNode record;
        try {
            record = JSON.readTree(line);
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
        return RecordSchema.problems(record);
    }

    /** Fails with every problem of every line of {@code jsonl}, naming the line. */
    public static void assertValid(String jsonl) {
        List<String> all = new ArrayList<>();
        String[] lines = jsonl.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (i == lines.length - 1 && lines[i].isEmpty()) {
                break; // the newline that ends the last record
            }
            for (String p : problems(lines[i])) {
                all.add("line " + (i + 1) + ": " + p);
            }
        }
        if (!all.isEmpty()) {
            throw new AssertionError("audit records that do not follow docs/audit-record.schema.json:\n"
                    + String.join("\n", all.subList(0, Math.min(all.size(), 20))));
        }
    }

    /** As {@link #assertValid(String)}, for a log file, read a line at a time (logs of a million records). */
    public static void assertValid(Path log) {
        List<String> all = new ArrayList<>();
        try (java.io.BufferedReader in = Files.newBufferedReader(log)) {
            String line;
            for (long n = 1; (line = in.readLine()) != null && all.size() < 20; n++) {
                for (String p : problems(line)) {
                    all.add("line " + n + ": " + p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!all.isEmpty()) {
            throw new AssertionError("audit records in " + log + " that do not follow docs/audit-record.schema.json:\n"
                    + String.join("\n", all));
        }
    }
}
