package dev.syscage.supervise.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Checks audit records against docs/audit-record.schema.json (built into the jar beside this
 * class), for {@code syscage report} and for the tests. Only the part of JSON Schema that file
 * uses is understood: {@code type} (one name or a list), {@code const}, {@code enum},
 * {@code required}, {@code properties}, {@code additionalProperties: false}, {@code items},
 * {@code pattern}, {@code minimum}, {@code maximum}, {@code oneOf}, and {@code $ref} to
 * {@code #/$defs/NAME}. A keyword it does not know fails the check, so the schema cannot grow
 * past what is really checked. (Small enough to keep here, and it keeps the build free of a
 * validator and its dependencies.)
 */
public final class RecordSchema {
    static final String RESOURCE = "audit-record.schema.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> KNOWN = Set.of("$schema", "$id", "title", "description", "type", "const", "enum",
            "required", "properties", "additionalProperties", "items", "pattern", "minimum", "maximum", "oneOf", "$ref",
            "$defs");
    private static volatile JsonNode schema;
    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

    private RecordSchema() {
    }

    /** The schema, read once from the class path. */
    static JsonNode schema() {
        JsonNode s = schema;
        if (s == null) {
            try (InputStream in = RecordSchema.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(RESOURCE + " is not on the class path (a broken build)");
                }
                s = JSON.readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            schema = s;
        }
        return s;
    }

    /** What is wrong with one record, each as "$.field: problem"; empty when it is valid. */
    public static List<String> problems(JsonNode record) {
        List<String> out = new ArrayList<>();
        check(schema(), record, "$", out);
        return out;
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
        if (s.has("$ref")) {
            check(resolve(s.get("$ref").asText()), v, at, out);
        }
        if (s.has("oneOf")) {
            oneOf(s.get("oneOf"), v, at, out);
        }
        values(s, v, at, out);
        if (v.isObject()) {
            object(s, v, at, out);
        }
        if (v.isArray() && s.has("items")) {
            for (int i = 0; i < v.size(); i++) {
                check(s.get("items"), v.get(i), at + "[" + i + "]", out);
            }
        }
    }

    private static void values(JsonNode s, JsonNode v, String at, List<String> out) {
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
    }

    /**
     * Exactly one branch must hold. When none does, the problems shown are those of the branch
     * the record says it is (its {@code record} field equals the branch's {@code const}), so that
     * a call record with one wrong field is told about that field; else a summary.
     */
    private static void oneOf(JsonNode branches, JsonNode v, String at, List<String> out) {
        List<List<String>> each = new ArrayList<>();
        int valid = 0;
        for (JsonNode b : branches) {
            JsonNode kind = resolved(b).path("properties").path("record").path("const");
            List<String> p = new ArrayList<>();
            if (!kind.isMissingNode() && !kind.equals(v.path("record"))) {
                p.add(at + ".record: not " + kind); // another kind of line: no need to check every field
            } else {
                check(b, v, at, p);
            }
            each.add(p);
            valid += p.isEmpty() ? 1 : 0;
        }
        if (valid == 1) {
            return;
        }
        if (valid > 1) {
            out.add(at + ": matches " + valid + " of the schema's kinds of record, not one");
            return;
        }
        List<String> kinds = new ArrayList<>();
        for (int i = 0; i < branches.size(); i++) {
            JsonNode kind = resolved(branches.get(i)).path("properties").path("record").path("const");
            kinds.add(kind.asText());
            if (!kind.isMissingNode() && kind.equals(v.path("record"))) {
                out.addAll(each.get(i));
                return;
            }
        }
        out.add(at + ".record: " + (v.has("record") ? v.get("record") + " is none of " + kinds : "missing")
                + " (what the line is: " + String.join(" or ", kinds) + ")");
    }

    private static JsonNode resolved(JsonNode s) {
        return s.has("$ref") ? resolve(s.get("$ref").asText()) : s;
    }

    private static JsonNode resolve(String ref) {
        String prefix = "#/$defs/";
        JsonNode target = ref.startsWith(prefix) ? schema().path("$defs").path(ref.substring(prefix.length())) : null;
        if (target == null || target.isMissingNode()) {
            throw new IllegalStateException("the audit schema refers to " + ref + ", which it does not define");
        }
        return target;
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
