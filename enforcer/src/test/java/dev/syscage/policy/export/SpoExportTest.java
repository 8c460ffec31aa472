package dev.syscage.policy.export;

import static dev.syscage.run.RunTest.syscage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.oci.ExportOptions;
import dev.syscage.policy.oci.OciExporter;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import dev.syscage.run.RunTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code syscage export --format spo} and the refusal or degrading of supervisor actions. */
class SpoExportTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEB = """
            version: 1
            name: My Web_Server!
            description: serves files
            arch: x86_64
            default: errno EPERM
            rules:
              - action: allow
                syscalls: [read, write, exit_group]
              - action: allow
                syscalls: [ioctl]
                when: "request == TCGETS"
              - action: errno EACCES
                syscalls: [openat]
            """;
    private static final String TRACED = """
            version: 1
            arch: x86_64
            default: errno EPERM
            rules:
              - action: allow
                syscalls: [read]
              - action: trace
                syscalls: [openat]
            supervise:
              default: allow
            """;

    @TempDir
    Path dir;

    private static Policy load(String name, String text) {
        return PolicyLoader.loadString(name, text, LoadOptions.defaults());
    }

    @Test
    void theObjectCarriesTheOciEntriesUnderSpec() throws Exception {
        Policy p = load("web.yaml", WEB);
        String oci = OciExporter.export(p, ExportOptions.defaults());
        SpoProfile.Result r = SpoProfile.fromOci(oci, p.name(), p.description());
        JsonNode spo = YAML.readTree(r.yaml());
        assertEquals(
                "security-profiles-operator.x-k8s.io/v1", spo.get("apiVersion").asText());
        assertEquals("SeccompProfile", spo.get("kind").asText());
        assertEquals("my-web-server", spo.at("/metadata/name").asText());
        assertEquals("serves files", spo.at("/metadata/annotations/description").asText());
        JsonNode spec = spo.get("spec");
        assertEquals("SCMP_ACT_ERRNO", spec.get("defaultAction").asText());
        assertEquals(JSON.readTree("[\"SCMP_ARCH_X86_64\"]"), spec.get("architectures"));
        JsonNode ociCalls = JSON.readTree(oci).get("syscalls");
        assertEquals(ociCalls.size(), spec.get("syscalls").size());
        for (int i = 0; i < ociCalls.size(); i++) {
            ObjectNode expected = ((ObjectNode) ociCalls.get(i)).deepCopy();
            expected.remove("comment"); // not a SeccompProfile field
            assertEquals(expected, spec.get("syscalls").get(i), "entry " + i);
        }
        JsonNode ioctl = entryNaming(spec, "ioctl");
        assertEquals("SCMP_ACT_ALLOW", ioctl.get("action").asText());
        assertEquals(
                JSON.readTree(
                        "[{\"index\": 1, \"value\": 4294967295, \"valueTwo\": 21505,\"op\": \"SCMP_CMP_MASKED_EQ\"}]"),
                ioctl.get("args"));
        assertEquals(13, entryNaming(spec, "openat").get("errnoRet").asInt());
        assertTrue(r.warnings().isEmpty(), r.warnings().toString());
    }

    private static JsonNode entryNaming(JsonNode spec, String name) {
        for (JsonNode e : spec.get("syscalls")) {
            for (JsonNode n : e.get("names")) {
                if (n.asText().equals(name)) {
                    return e;
                }
            }
        }
        throw new AssertionError("no entry names " + name);
    }

    @Test
    void namesBecomeDns1123Subdomains() {
        assertEquals("my-web-server", SpoProfile.dnsName("My Web_Server!"));
        assertEquals("a.b-c", SpoProfile.dnsName("..A..B--C.."));
        assertEquals("syscage-profile", SpoProfile.dnsName("***"));
        assertEquals(253, SpoProfile.dnsName("x".repeat(300)).length());
    }

    @Test
    void traceIsRefusedNamingTheRuleUnlessDegraded() {
        Policy p = load("traced.yaml", TRACED);
        PolicyException e =
                assertThrows(PolicyException.class, () -> SupervisedActions.replace(p, ExportOptions.Degrade.NONE));
        assertTrue(e.getMessage().contains("traced.yaml:7"), e.getMessage());
        assertTrue(e.getMessage().contains("rule #2"), e.getMessage());
        assertTrue(e.getMessage().contains("--degrade errno or --degrade allow"), e.getMessage());

        SupervisedActions.Result errno = SupervisedActions.replace(p, ExportOptions.Degrade.ERRNO);
        int openat = p.arches().get(0).table().byName("openat").orElseThrow().nr();
        assertEquals(
                Action.errno(1),
                errno.policy()
                        .forArch(Arch.X86_64)
                        .orElseThrow()
                        .clausesFor(openat)
                        .get(0)
                        .action());
        assertTrue(
                errno.warnings().stream().anyMatch(w -> w.contains("rule #2") && w.contains("exported as errno EPERM")),
                errno.warnings().toString());
        assertTrue(
                errno.warnings().stream().anyMatch(w -> w.contains("supervise: section is not exported")),
                errno.warnings().toString());

        SupervisedActions.Result allow = SupervisedActions.replace(p, ExportOptions.Degrade.ALLOW);
        assertEquals(
                Action.ALLOW,
                allow.policy()
                        .forArch(Arch.X86_64)
                        .orElseThrow()
                        .clausesFor(openat)
                        .get(0)
                        .action());
    }

    @Test
    void theCommandWritesTheObjectAndRefusesTrace() throws Exception {
        Files.writeString(dir.resolve("web.yaml"), WEB);
        Files.writeString(dir.resolve("traced.yaml"), TRACED);
        Result spo = syscage(dir, "export", "web.yaml", "--format", "spo");
        assertEquals(0, spo.code(), spo.err());
        assertEquals("SeccompProfile", YAML.readTree(spo.out()).get("kind").asText());
        Result refused = syscage(dir, "export", "traced.yaml", "--format", "spo");
        assertFalse(refused.code() == 0, refused.err());
        assertTrue(refused.err().contains("traced.yaml:7"), refused.err());
        assertEquals("", refused.out());
        Result degraded = syscage(dir, "export", "traced.yaml", "--format", "oci", "--degrade", "errno");
        assertEquals(0, degraded.code(), degraded.err());
        assertTrue(degraded.err().contains("warning:"), degraded.err());
        assertFalse(degraded.out().contains("SCMP_ACT_TRACE"), degraded.out());
        assertFalse(
                degraded.out().contains("\"openat\""),
                "EPERM is the default action: openat needs no entry\n" + degraded.out());
        Result allowed = syscage(dir, "export", "traced.yaml", "--format", "spo", "--degrade", "allow");
        assertEquals(0, allowed.code(), allowed.err());
        assertEquals(
                List.of("openat", "read"), names(YAML.readTree(allowed.out()).get("spec"), "SCMP_ACT_ALLOW"));
    }

    private static List<String> names(JsonNode oci, String action) {
        for (JsonNode e : oci.get("syscalls")) {
            if (e.get("action").asText().equals(action)) {
                return JSON.convertValue(
                        e.get("names"), JSON.getTypeFactory().constructCollectionType(List.class, String.class));
            }
        }
        throw new AssertionError("no " + action + " entry in " + oci);
    }
}
