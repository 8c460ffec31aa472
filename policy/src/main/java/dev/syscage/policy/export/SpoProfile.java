package dev.syscage.policy.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Kubernetes Security Profiles Operator {@code SeccompProfile} object (YAML) made from an
 * exported OCI profile: the same default action, architectures and syscall entries, so the
 * same decisions. What the object's schema has no field for is reported: a
 * {@code defaultErrnoRet} other than EPERM (the runtime then answers EPERM), and entries limited
 * to some architectures ({@code includes.arches}), which it cannot carry and refuses, and argument
 * values the schema cannot hold: it types {@code value} and {@code valueTwo} as int64 with
 * minimum 0, so an OCI value of 2^63 or more would be rejected by the API server.
 *
 * <p>The object is for the CRD's {@code v1} (the stored version) unless {@code v1beta1} is asked
 * for; both versions have the same schema. Tests validate what this writes against the CRD's
 * OpenAPI schema ({@code SpoSchemaTest}).
 */
public final class SpoProfile {
    public static final String GROUP = "security-profiles-operator.x-k8s.io";
    /** The versions the CRD serves; the first is stored and the default. */
    public static final List<String> VERSIONS = List.of("v1", "v1beta1");

    public static final String API_VERSION = GROUP + "/" + VERSIONS.get(0);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    /** The object's text and what it does not carry over. */
    public record Result(String yaml, List<String> warnings) {}

    private SpoProfile() {}

    /** For the stored version, {@code v1}. */
    public static Result fromOci(String ociJson, String policyName, String description) {
        return fromOci(ociJson, policyName, description, VERSIONS.get(0));
    }

    /**
     * For {@code version} ({@code v1} or {@code v1beta1}).
     *
     * @throws IllegalArgumentException when an entry applies to some architectures only, or has a
     *     value the schema's int64 cannot hold
     */
    public static Result fromOci(String ociJson, String policyName, String description, String version) {
        if (!VERSIONS.contains(version)) {
            throw new IllegalArgumentException("unknown SeccompProfile API version '" + version + "' (the CRD serves "
                    + String.join(" and ", VERSIONS) + ")");
        }
        JsonNode oci;
        try {
            oci = JSON.readTree(ociJson);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the OCI export is not JSON", e);
        }
        List<String> warnings = new ArrayList<>();
        ObjectNode root = YAML.createObjectNode();
        root.put("apiVersion", GROUP + "/" + version);
        root.put("kind", "SeccompProfile");
        ObjectNode meta = root.putObject("metadata");
        meta.put("name", dnsName(policyName));
        if (description != null && !description.isBlank()) {
            meta.putObject("annotations").put("description", description);
        }
        ObjectNode spec = root.putObject("spec");
        spec.set("defaultAction", oci.get("defaultAction"));
        if (oci.has("defaultErrnoRet") && oci.get("defaultErrnoRet").asLong() != 1) {
            warnings.add("defaultErrnoRet " + oci.get("defaultErrnoRet") + " has no field in a SeccompProfile;"
                    + " calls the default denies fail with EPERM there");
        }
        spec.set("architectures", oci.get("architectures"));
        ArrayNode calls = spec.putArray("syscalls");
        for (JsonNode e : oci.get("syscalls")) {
            calls.add(entry(e));
        }
        try {
            return new Result(YAML.writeValueAsString(root), List.copyOf(warnings));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write YAML", e);
        }
    }

    private static ObjectNode entry(JsonNode e) {
        if (e.has("includes") || e.has("excludes")) {
            throw new IllegalArgumentException(
                    "the rules for " + e.get("names") + " differ between architectures"
                            + " (OCI includes.arches), which a SeccompProfile cannot express; export a policy with one architecture");
        }
        ObjectNode out = YAML.createObjectNode();
        out.put("action", e.get("action").asText());
        if (e.has("errnoRet")) {
            out.set("errnoRet", e.get("errnoRet"));
        }
        out.set("names", e.get("names"));
        if (e.has("args")) {
            for (JsonNode a : e.get("args")) {
                for (String k : List.of("value", "valueTwo")) {
                    if (a.has(k) && a.get(k).bigIntegerValue().bitLength() > 63) {
                        throw new IllegalArgumentException(
                                "the entry for " + e.get("names") + " compares argument "
                                        + a.get("index") + " with " + k + " 0x"
                                        + a.get(k).bigIntegerValue().toString(16)
                                        + ", which the SeccompProfile schema cannot hold (int64, at least 0); use --format oci");
                    }
                }
            }
            out.set("args", e.get("args"));
        }
        return out;
    }

    /** A DNS-1123 subdomain: lower case letters, digits, '-' and '.', alphanumeric at both ends, at most 253. */
    public static String dnsName(String name) {
        String s = name == null
                ? ""
                : name.toLowerCase(Locale.ROOT)
                        .replaceAll("[^a-z0-9.-]+", "-")
                        .replaceAll("-{2,}", "-")
                        .replaceAll("\\.{2,}", ".");
        s = s.replaceAll("^[.-]+|[.-]+$", "");
        if (s.length() > 253) {
            s = s.substring(0, 253).replaceAll("[.-]+$", "");
        }
        return s.isEmpty() ? "syscage-profile" : s;
    }
}
