package dev.syscage.export;

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
 * to some architectures ({@code includes.arches}), which it cannot carry and refuses.
 */
public final class SpoProfile {
    public static final String API_VERSION = "security-profiles-operator.x-k8s.io/v1beta1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    /** The object's text and what it does not carry over. */
    public record Result(String yaml, List<String> warnings) {
    }

    private SpoProfile() {
    }

    /** @throws IllegalArgumentException when an entry applies to some architectures only */
    public static Result fromOci(String ociJson, String policyName, String description) {
        JsonNode oci;
        try {
            oci = JSON.readTree(ociJson);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the OCI export is not JSON", e);
        }
        List<String> warnings = new ArrayList<>();
        ObjectNode root = YAML.createObjectNode();
        root.put("apiVersion", API_VERSION);
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
            throw new IllegalArgumentException("the rules for " + e.get("names") + " differ between architectures"
                    + " (OCI includes.arches), which a SeccompProfile cannot express; export a policy with one architecture");
        }
        ObjectNode out = YAML.createObjectNode();
        out.put("action", e.get("action").asText());
        if (e.has("errnoRet")) {
            out.set("errnoRet", e.get("errnoRet"));
        }
        out.set("names", e.get("names"));
        if (e.has("args")) {
            out.set("args", e.get("args"));
        }
        return out;
    }

    /** A DNS-1123 subdomain: lower case letters, digits, '-' and '.', alphanumeric at both ends, at most 253. */
    public static String dnsName(String name) {
        String s = name == null ? "" : name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]+", "-")
                .replaceAll("-{2,}", "-").replaceAll("\\.{2,}", ".");
        s = s.replaceAll("^[.-]+|[.-]+$", "");
        if (s.length() > 253) {
            s = s.substring(0, 253).replaceAll("[.-]+$", "");
        }
        return s.isEmpty() ? "syscage-profile" : s;
    }
}
