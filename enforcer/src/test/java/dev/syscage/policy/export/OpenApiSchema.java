package dev.syscage.policy.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Validates an object against the OpenAPI v3 schema of a CustomResourceDefinition version as
 * the Kubernetes API server does, for the keywords the SeccompProfile CRD uses: {@code type}
 * (integer with {@code format} int32/int64 ranges), {@code enum}, {@code pattern},
 * {@code minimum}, {@code properties}, {@code required}, {@code items}, {@code minItems},
 * {@code maxItems} and {@code x-kubernetes-list-type: set} (no duplicates). A field the schema
 * does not declare is reported too: the API server would prune it silently, so the object would
 * not mean what was written. Hand-written rather than a JSON-schema library because the rules
 * that matter here are Kubernetes' (int64 formats, list types, pruning), which such libraries do
 * not apply.
 */
final class OpenApiSchema {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final JsonNode schema;

    private OpenApiSchema(JsonNode schema) {
        this.schema = schema;
    }

    /** The {@code openAPIV3Schema} of {@code version} in a CRD's YAML text. */
    static OpenApiSchema ofCrd(String crdYaml, String version) {
        JsonNode crd;
        try {
            crd = YAML.readTree(crdYaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (JsonNode v : crd.at("/spec/versions")) {
            if (v.get("name").asText().equals(version)) {
                return new OpenApiSchema(v.at("/schema/openAPIV3Schema"));
            }
        }
        throw new IllegalArgumentException("the CRD has no version " + version);
    }

    /** Every violation, each with its path ({@code spec.syscalls[2].args[0].value: ...}); empty when valid. */
    List<String> validate(JsonNode object) {
        List<String> out = new ArrayList<>();
        check(schema, object, "", out);
        return out;
    }

    private static void check(JsonNode s, JsonNode v, String path, List<String> out) {
        String at = path.isEmpty() ? "(root)" : path;
        String type = s.path("type").asText("");
        switch (type) {
            case "object" -> {
                if (!v.isObject()) {
                    out.add(at + ": expected an object");
                    return;
                }
            }
            case "array" -> {
                if (!v.isArray()) {
                    out.add(at + ": expected an array");
                    return;
                }
            }
            case "string" -> {
                if (!v.isTextual()) {
                    out.add(at + ": expected a string");
                    return;
                }
            }
            case "integer" -> {
                if (!v.isIntegralNumber()) {
                    out.add(at + ": expected an integer");
                    return;
                }
                int bits = s.path("format").asText("int64").equals("int32") ? 31 : 63;
                if (v.bigIntegerValue().bitLength() > bits) {
                    out.add(at + ": " + v.bigIntegerValue() + " does not fit " + s.path("format").asText("int64"));
                }
            }
            default -> {
            }
        }
        if (s.has("enum")) {
            boolean found = false;
            for (JsonNode e : s.get("enum")) {
                found |= e.equals(v);
            }
            if (!found) {
                out.add(at + ": " + v + " is not one of " + s.get("enum"));
            }
        }
        if (s.has("pattern") && v.isTextual() && !v.asText().matches(s.get("pattern").asText())) {
            out.add(at + ": '" + v.asText() + "' does not match " + s.get("pattern").asText());
        }
        if (s.has("minimum") && v.isNumber() && v.bigIntegerValue().compareTo(BigInteger.valueOf(s.get("minimum").asLong())) < 0) {
            out.add(at + ": " + v + " is below the minimum " + s.get("minimum"));
        }
        if (v.isObject()) {
            JsonNode props = s.get("properties");
            for (JsonNode r : s.path("required")) {
                if (!v.has(r.asText())) {
                    out.add(at + ": missing required field '" + r.asText() + "'");
                }
            }
            if (props != null) {
                for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
                    String k = it.next();
                    String p = path.isEmpty() ? k : path + "." + k;
                    if (props.has(k)) {
                        check(props.get(k), v.get(k), p, out);
                    } else if (!s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                        out.add(p + ": not in the schema (the API server would drop it)");
                    }
                }
            }
        }
        if (v.isArray()) {
            if (s.has("minItems") && v.size() < s.get("minItems").asInt()) {
                out.add(at + ": fewer than " + s.get("minItems") + " items");
            }
            if (s.has("maxItems") && v.size() > s.get("maxItems").asInt()) {
                out.add(at + ": more than " + s.get("maxItems") + " items");
            }
            if (s.path("x-kubernetes-list-type").asText("").equals("set")) {
                Set<JsonNode> seen = new HashSet<>();
                for (JsonNode e : v) {
                    if (!seen.add(e)) {
                        out.add(at + ": " + e + " appears twice in a set");
                    }
                }
            }
            if (s.has("items")) {
                for (int i = 0; i < v.size(); i++) {
                    check(s.get("items"), v.get(i), path + "[" + i + "]", out);
                }
            }
        }
    }
}
