package dev.syscage.supervise.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks audit records against docs/audit-record.schema.json. Only the part of JSON Schema that
 * file uses is understood: {@code type} (one name or a list), {@code const}, {@code enum},
 * {@code required}, {@code properties}, {@code additionalProperties: false}, {@code items},
 * {@code pattern}, {@code minimum}, {@code maximum}. A keyword it does not know fails the check,
 * so the schema cannot grow past what is really checked. (Small enough to keep here, and it
 * keeps the build free of a validator and its dependencies.)
 */
public final class AuditSchema {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.Set<String> KNOWN = java.util.Set.of("$schema", "$id", "title", "description",
            "type", "const", "enum", "required", "properties", "additionalProperties", "items", "pattern", "minimum",
            "maximum");
    private static volatile JsonNode schema;
    private static final Map<String, Pattern> PATTERNS = new java.util.concurrent.ConcurrentHashMap<>();

    private AuditSchema() {
    }

    /** The schema file, from the enforcer module's directory (where the tests run) or the repository's. */
    static JsonNode schema() {
        JsonNode s = schema;
        if (s == null) {
            Path file = Files.exists(Path.of("../docs/audit-record.schema.json")) ? Path.of("../docs/audit-record.schema.json")
                    : Path.of("docs/audit-record.schema.json");
            try {
                s = JSON.readTree(file.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            schema = s;
        }
        return s;
    }

    /** What is wrong with {@code line} (one JSONL record), each as "field: problem"; empty when it is valid. */
    public static List<String> problems(String line) {
        List<String> out = new ArrayList<>();
        JsonNode record;
        try {
            record = JSON.readTree(line);
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
        check(schema(), record, "$", out);
        return out;
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

    private static void check(JsonNode s, JsonNode v, String at, List<String> out) {
        for (Iterator<String> it = s.fieldNames(); it.hasNext();) {
            String k = it.next();
            if (!KNOWN.contains(k)) {
                out.add(at + ": schema keyword '" + k + "' is not understood by this checker");
            }
        }
        if (s.has("type") && !typeMatches(s.get("type"), v)) {
            out.add(at + ": " + kind(v) + " where the schema says " + s.get("type"));
            return;
        }
        if (s.has("const") && !s.get("const").equals(v)) {
            out.add(at + ": " + v + " is not " + s.get("const"));
        }
        if (s.has("enum")) {
            boolean any = false;
            for (JsonNode e : s.get("enum")) {
                any |= e.equals(v);
            }
            if (!any) {
                out.add(at + ": " + v + " is none of " + s.get("enum"));
            }
        }
        if (v.isTextual() && s.has("pattern")
                && !PATTERNS.computeIfAbsent(s.get("pattern").asText(), Pattern::compile).matcher(v.asText()).find()) {
            out.add(at + ": \"" + v.asText() + "\" does not match " + s.get("pattern").asText());
        }
        if (v.isNumber() && s.has("minimum") && v.decimalValue().compareTo(s.get("minimum").decimalValue()) < 0) {
            out.add(at + ": " + v + " is below " + s.get("minimum"));
        }
        if (v.isNumber() && s.has("maximum") && v.decimalValue().compareTo(s.get("maximum").decimalValue()) > 0) {
            out.add(at + ": " + v + " is above " + s.get("maximum"));
        }
        if (v.isObject()) {
            object(s, v, at, out);
        }
        if (v.isArray() && s.has("items")) {
            for (int i = 0; i < v.size(); i++) {
                check(s.get("items"), v.get(i), at + "[" + i + "]", out);
            }
        }
    }

    private static void object(JsonNode s, JsonNode v, String at, List<String> out) {
        if (s.has("required")) {
            for (JsonNode r : s.get("required")) {
                if (!v.has(r.asText())) {
                    out.add(at + "." + r.asText() + ": missing");
                }
            }
        }
        JsonNode props = s.path("properties");
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            if (props.has(f.getKey())) {
                check(props.get(f.getKey()), f.getValue(), at + "." + f.getKey(), out);
            } else if (s.path("additionalProperties").isBoolean() && !s.get("additionalProperties").asBoolean()) {
                out.add(at + "." + f.getKey() + ": not in the schema");
            }
        }
    }

    private static boolean typeMatches(JsonNode type, JsonNode v) {
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (typeMatches(t, v)) {
                    return true;
                }
            }
            return false;
        }
        return switch (type.asText()) {
            case "null" -> v.isNull();
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber();
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            case "array" -> v.isArray();
            case "object" -> v.isObject();
            default -> false;
        };
    }

    private static String kind(JsonNode v) {
        return v.isNull() ? "null" : v.isTextual() ? "a string" : v.isIntegralNumber() ? "an integer"
                : v.isNumber() ? "a number" : v.isBoolean() ? "a boolean" : v.isArray() ? "an array" : "an object";
    }
}
