package dev.syscage.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Checks a JSON value against a schema: the project's one validator, for the audit records
 * (docs/audit-record.schema.json, JSON Schema) and, in the tests, for what {@code export} writes
 * (a CustomResourceDefinition's OpenAPI v3 schema, read as the Kubernetes API server reads it).
 * Only the keywords those schemas use are understood: {@code type} (one name or a list),
 * {@code const}, {@code enum}, {@code required}, {@code properties},
 * {@code additionalProperties: false}, {@code items}, {@code pattern}, {@code minimum},
 * {@code maximum}, {@code minItems}, {@code maxItems}, {@code minLength}, {@code maxLength},
 * {@code format} (int32, int64, date-time), {@code oneOf}, {@code $ref} to {@code #/$defs/NAME},
 * and Kubernetes' {@code x-kubernetes-list-type} (set: no duplicates; map: unique
 * {@code x-kubernetes-list-map-keys}) and {@code x-kubernetes-preserve-unknown-fields}.
 * A keyword it does not know fails the check, so a schema cannot grow past what is really
 * checked. Under {@link Dialect#KUBERNETES} a field an object schema does not declare is a
 * problem too: the API server would prune it silently, so the object would not mean what was
 * written. (Small enough to keep here, and it keeps the build free of a validator and its
 * dependencies, none of which applies Kubernetes' rules.)
 */
public final class JsonSchema {
    /** How undeclared fields are read: JSON Schema's (allowed unless additionalProperties: false) or Kubernetes' (pruned). */
    public enum Dialect {
        JSON_SCHEMA,
        KUBERNETES
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> KNOWN = Set.of(
            "$schema",
            "$id",
            "title",
            "description",
            "default",
            "type",
            "const",
            "enum",
            "required",
            "properties",
            "additionalProperties",
            "items",
            "pattern",
            "minimum",
            "maximum",
            "minItems",
            "maxItems",
            "minLength",
            "maxLength",
            "format",
            "oneOf",
            "$ref",
            "$defs",
            "x-kubernetes-list-type",
            "x-kubernetes-list-map-keys",
            "x-kubernetes-preserve-unknown-fields");
    private static final Set<String> FORMATS = Set.of("int32", "int64", "date-time");
    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

    private final JsonNode root;
    private final Dialect dialect;
    /** What in the schema itself this checker does not understand: reported by every check. */
    private final List<String> unknown = new ArrayList<>();

    private JsonSchema(JsonNode root, Dialect dialect) {
        this.root = root;
        this.dialect = dialect;
        keywords(root, "schema");
    }

    /** The keywords of every schema in {@code s}, checked once, not on every value. */
    private void keywords(JsonNode s, String at) {
        if (!s.isObject()) {
            return;
        }
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KNOWN.contains(k)) {
                unknown.add(at + ": schema keyword '" + k + "' is not understood by this checker");
            }
        }
        if (s.has("format") && !FORMATS.contains(s.get("format").asText())) {
            unknown.add(at + ": schema format '" + s.get("format").asText() + "' is not understood by this checker");
        }
        s.path("properties").fields().forEachRemaining(f -> keywords(f.getValue(), at + ".properties." + f.getKey()));
        s.path("$defs").fields().forEachRemaining(f -> keywords(f.getValue(), at + ".$defs." + f.getKey()));
        keywords(s.path("items"), at + ".items");
        for (int i = 0; i < s.path("oneOf").size(); i++) {
            keywords(s.get("oneOf").get(i), at + ".oneOf[" + i + "]");
        }
    }

    /** A JSON Schema read from the class path beside {@code near}; a missing one is a broken build. */
    public static JsonSchema resource(Class<?> near, String name) {
        try (InputStream in = near.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the class path (a broken build)");
            }
            return new JsonSchema(JSON.readTree(in), Dialect.JSON_SCHEMA);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code openAPIV3Schema} of {@code version} in a CRD's YAML text, read as the API server reads it. */
    public static JsonSchema ofCrd(String crdYaml, String version) {
        JsonNode crd;
        try {
            crd = YAML.readTree(crdYaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (JsonNode v : crd.at("/spec/versions")) {
            if (v.path("name").asText().equals(version)) {
                return new JsonSchema(v.at("/schema/openAPIV3Schema"), Dialect.KUBERNETES);
            }
        }
        throw new IllegalArgumentException("the CRD has no version " + version);
    }

    /** What is wrong with {@code value}, each as "$.field: problem"; empty when it is valid. */
    public List<String> problems(JsonNode value) {
        List<String> out = new ArrayList<>(unknown);
        check(root, value, Loc.ROOT, out);
        return out;
    }

    /** Where in the value: built as the check descends, made text only for a problem ({@code $.args[0].value}). */
    private record Loc(Loc parent, String field, int index) {
        static final Loc ROOT = new Loc(null, null, -1);

        Loc field(String f) {
            return new Loc(this, f, -1);
        }

        Loc index(int i) {
            return new Loc(this, null, i);
        }

        @Override
        public String toString() {
            return parent == null ? "$" : parent + (field != null ? "." + field : "[" + index + "]");
        }
    }

    private void check(JsonNode s, JsonNode v, Loc at, List<String> out) {
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
        if (v.isArray()) {
            array(s, v, at, out);
        }
    }

    private static void values(JsonNode s, JsonNode v, Loc at, List<String> out) {
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
        if (v.isTextual()) {
            text(s, v.asText(), at, out);
        }
        if (v.isNumber() && s.has("minimum") && compare(v, s.get("minimum")) < 0) {
            out.add(at + ": " + v + " is below " + s.get("minimum"));
        }
        if (v.isNumber() && s.has("maximum") && compare(v, s.get("maximum")) > 0) {
            out.add(at + ": " + v + " is above " + s.get("maximum"));
        }
        if (s.has("format")) {
            format(s.get("format").asText(), v, at, out);
        }
    }

    private static void text(JsonNode s, String t, Loc at, List<String> out) {
        if (s.has("pattern")
                && !PATTERNS.computeIfAbsent(s.get("pattern").asText(), Pattern::compile)
                        .matcher(t)
                        .find()) {
            out.add(at + ": \"" + t + "\" does not match " + s.get("pattern").asText());
        }
        int length = t.codePointCount(0, t.length());
        if (s.has("minLength") && length < s.get("minLength").asInt()) {
            out.add(at + ": " + length + " characters, fewer than " + s.get("minLength"));
        }
        if (s.has("maxLength") && length > s.get("maxLength").asInt()) {
            out.add(at + ": " + length + " characters, more than " + s.get("maxLength"));
        }
    }

    /** Numbers compared exactly; as longs where both are (the common case, and no BigDecimal per value). */
    private static int compare(JsonNode v, JsonNode bound) {
        if (v.isIntegralNumber() && v.canConvertToLong() && bound.isIntegralNumber() && bound.canConvertToLong()) {
            return Long.compare(v.longValue(), bound.longValue());
        }
        return v.decimalValue().compareTo(bound.decimalValue());
    }

    /** The formats the schemas use; any other is a keyword value this checker does not understand. */
    private static void format(String f, JsonNode v, Loc at, List<String> out) {
        switch (f) {
            case "int32", "int64" -> {
                if (v.isIntegralNumber() && v.bigIntegerValue().bitLength() > (f.equals("int32") ? 31 : 63)) {
                    out.add(at + ": " + v.bigIntegerValue() + " does not fit " + f);
                }
            }
            case "date-time" -> {
                try {
                    if (v.isTextual()) {
                        OffsetDateTime.parse(v.asText());
                    }
                } catch (DateTimeParseException e) {
                    out.add(at + ": \"" + v.asText() + "\" is not a date-time");
                }
            }
            default -> {
                // reported once, as the schema's problem (keywords)
            }
        }
    }

    /**
     * Exactly one branch must hold. When none does, the problems shown are those of the branch
     * the value says it is (its {@code record} field equals the branch's {@code const}), so that
     * a call record with one wrong field is told about that field; else a summary.
     */
    private void oneOf(JsonNode branches, JsonNode v, Loc at, List<String> out) {
        List<List<String>> each = new ArrayList<>();
        int valid = 0;
        for (JsonNode b : branches) {
            JsonNode kind = resolved(b).path("properties").path("record").path("const");
            if (!kind.isMissingNode() && !kind.equals(v.path("record"))) {
                each.add(null); // another kind of line: no need to check every field
                continue;
            }
            List<String> p = new ArrayList<>();
            check(b, v, at, p);
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
            JsonNode kind =
                    resolved(branches.get(i)).path("properties").path("record").path("const");
            kinds.add(kind.asText());
            if (!kind.isMissingNode() && kind.equals(v.path("record"))) {
                out.addAll(each.get(i));
                return;
            }
        }
        out.add(at + ".record: " + (v.has("record") ? v.get("record") + " is none of " + kinds : "missing")
                + " (what the line is: " + String.join(" or ", kinds) + ")");
    }

    private JsonNode resolved(JsonNode s) {
        return s.has("$ref") ? resolve(s.get("$ref").asText()) : s;
    }

    private JsonNode resolve(String ref) {
        String prefix = "#/$defs/";
        JsonNode target = ref.startsWith(prefix) ? root.path("$defs").path(ref.substring(prefix.length())) : null;
        if (target == null || target.isMissingNode()) {
            throw new IllegalStateException("the schema refers to " + ref + ", which it does not define");
        }
        return target;
    }

    private void object(JsonNode s, JsonNode v, Loc at, List<String> out) {
        if (s.has("required")) {
            for (JsonNode r : s.get("required")) {
                if (!v.has(r.asText())) {
                    out.add(at + "." + r.asText() + ": missing");
                }
            }
        }
        JsonNode props = s.path("properties");
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (props.has(f.getKey())) {
                check(props.get(f.getKey()), f.getValue(), at.field(f.getKey()), out);
            } else if (s.path("additionalProperties").isBoolean()
                    && !s.get("additionalProperties").asBoolean()) {
                out.add(at + "." + f.getKey() + ": not in the schema");
            } else if (dialect == Dialect.KUBERNETES
                    && s.has("properties")
                    && !s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                out.add(at + "." + f.getKey() + ": not in the schema (the API server would drop it)");
            }
        }
    }

    private void array(JsonNode s, JsonNode v, Loc at, List<String> out) {
        if (s.has("minItems") && v.size() < s.get("minItems").asInt()) {
            out.add(at + ": " + v.size() + " items, fewer than " + s.get("minItems"));
        }
        if (s.has("maxItems") && v.size() > s.get("maxItems").asInt()) {
            out.add(at + ": " + v.size() + " items, more than " + s.get("maxItems"));
        }
        String listType = s.path("x-kubernetes-list-type").asText("");
        if (listType.equals("set") || listType.equals("map")) {
            Set<JsonNode> seen = new HashSet<>();
            for (JsonNode e : v) {
                JsonNode key = listType.equals("set") ? e : mapKey(s.path("x-kubernetes-list-map-keys"), e);
                if (!seen.add(key)) {
                    out.add(at + ": " + key + " appears twice in a " + listType);
                }
            }
        }
        if (s.has("items")) {
            for (int i = 0; i < v.size(); i++) {
                check(s.get("items"), v.get(i), at.index(i), out);
            }
        }
    }

    /** The fields of a map list's item that must be unique together. */
    private static JsonNode mapKey(JsonNode keys, JsonNode item) {
        com.fasterxml.jackson.databind.node.ObjectNode key = JSON.createObjectNode();
        keys.forEach(k -> key.set(k.asText(), item.path(k.asText())));
        return key;
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
        return v.isNull()
                ? "null"
                : v.isTextual()
                        ? "a string"
                        : v.isIntegralNumber()
                                ? "an integer"
                                : v.isNumber()
                                        ? "a number"
                                        : v.isBoolean() ? "a boolean" : v.isArray() ? "an array" : "an object";
    }
}
