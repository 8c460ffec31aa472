package dev.syscage.policy.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.oci.ExportOptions;
import dev.syscage.policy.oci.OciExporter;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import dev.syscage.run.RunTest;
import dev.syscage.schema.JsonSchema;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code export --format spo} writes, validated against the SeccompProfile CRD's OpenAPI
 * schema as the API server would ({@link JsonSchema}, the project's one schema checker): the CRD in ../shared/reference/spo
 * (skipped, saying so, outside the development workspace) and the project's restatement of its
 * rules, {@code spo/seccompprofile-schema.yaml}, which always runs. Both versions, v1 (stored,
 * the default) and v1beta1.
 */
class SpoSchemaTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path CRD = Path.of("shared/reference/spo/seccompprofile-crd.yaml");

    /** Allow and deny lists, errno values, masked 32-bit tests, a 64-bit range, two architectures. */
    private static final List<String> POLICIES = List.of("""
            version: 1
            name: Web Server
            description: serves files
            arch: x86_64
            default: errno EPERM
            rules:
              - action: allow
                syscalls: [read, write, exit_group, close]
              - action: allow
                syscalls: [ioctl]
                when: "request == TCGETS"
              - action: errno EACCES
                syscalls: [openat]
                when: "(flags & O_ACCMODE) != O_RDONLY"
              - action: allow
                syscalls: [openat, mmap]
              - action: allow
                syscalls: [lseek]
                when: "offset < 0x100000000 && whence <= 2"
            """, """
            version: 1
            name: denylist
            arch: [x86_64, aarch64]
            default: allow
            rules:
              - action: kill
                syscalls: [ptrace, kexec_load]
              - action: errno ENOSYS
                syscalls: [io_uring_setup]
              - action: log
                syscalls: [socket]
                when: "family == AF_NETLINK"
            """);

    @TempDir
    Path dir;

    @Test
    void exportsAreValidForTheCrdInSharedReference() throws IOException {
        String crd = Files.readString(crdOrSkip());
        for (String version : SpoProfile.VERSIONS) {
            assertValid(JsonSchema.ofCrd(crd, version), version);
        }
    }

    @Test
    void exportsAreValidForTheProjectsRestatementOfTheSchema() throws IOException {
        String schema = fixture();
        for (String version : SpoProfile.VERSIONS) {
            assertValid(JsonSchema.ofCrd(schema, version), version);
        }
    }

    private static void assertValid(JsonSchema schema, String version) throws IOException {
        for (String text : POLICIES) {
            Policy p = PolicyLoader.loadString("p.yaml", text, LoadOptions.defaults());
            SpoProfile.Result r = SpoProfile.fromOci(
                    OciExporter.export(p, ExportOptions.defaults()), p.name(), p.description(), version);
            JsonNode object = YAML.readTree(r.yaml());
            assertEquals(
                    "security-profiles-operator.x-k8s.io/" + version,
                    object.get("apiVersion").asText());
            assertEquals(List.of(), schema.problems(object), version + ":\n" + r.yaml());
        }
    }

    /** The validator fails for the right reasons, under both schemas and both versions. */
    @Test
    void theValidatorFindsWhatTheApiServerWouldRefuseOrDrop() throws IOException {
        JsonNode bad = YAML.readTree("""
                apiVersion: security-profiles-operator.x-k8s.io/v1
                kind: SeccompProfile
                metadata: {name: bad}
                spec:
                  defaultAction: SCMP_ACT_DENY
                  defaultErrnoRet: 38
                  architectures: [SCMP_ARCH_X86_64, SCMP_ARCH_X86_64]
                  syscalls:
                  - action: SCMP_ACT_ALLOW
                    names: []
                    args: [{index: 0, op: SCMP_CMP_EQ, value: 9223372036854775808}]
                  - names: [read]
                    errnoRet: -1
                """);
        List<String> expected = List.of(
                "$.spec.defaultAction: \"SCMP_ACT_DENY\" is none of [\"SCMP_ACT_KILL\",\"SCMP_ACT_KILL_PROCESS\","
                        + "\"SCMP_ACT_KILL_THREAD\",\"SCMP_ACT_TRAP\",\"SCMP_ACT_ERRNO\",\"SCMP_ACT_TRACE\",\"SCMP_ACT_ALLOW\","
                        + "\"SCMP_ACT_LOG\",\"SCMP_ACT_NOTIFY\"]",
                "$.spec.defaultErrnoRet: not in the schema (the API server would drop it)",
                "$.spec.architectures: \"SCMP_ARCH_X86_64\" appears twice in a set",
                "$.spec.syscalls[0].names: 0 items, fewer than 1",
                "$.spec.syscalls[0].args[0].value: 9223372036854775808 does not fit int64",
                "$.spec.syscalls[1].action: missing",
                "$.spec.syscalls[1].errnoRet: -1 is below 0");
        List<String> schemas = new java.util.ArrayList<>(List.of(fixture()));
        Path crd = findCrd();
        if (crd != null) {
            schemas.add(Files.readString(crd));
        }
        for (String s : schemas) {
            for (String version : SpoProfile.VERSIONS) {
                assertEquals(expected, JsonSchema.ofCrd(s, version).problems(bad), version);
            }
        }
    }

    @Test
    void refusesValuesTheSchemasInt64CannotHold() {
        String oci = """
                {"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
                  {"names": ["lseek"], "action": "SCMP_ACT_ALLOW",
                   "args": [{"index": 1, "value": 9223372036854775808, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]}]}
                """;
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> SpoProfile.fromOci(oci, "x", null));
        assertEquals(
                "the entry for [\"lseek\"] compares argument 1 with value 0x8000000000000000, which the"
                        + " SeccompProfile schema cannot hold (int64, at least 0); use --format oci",
                e.getMessage());
    }

    @Test
    void theCommandTakesTheApiVersion() throws Exception {
        Files.writeString(dir.resolve("p.yaml"), POLICIES.get(0));
        RunTest.Result v1 = RunTest.syscage(dir, "export", "p.yaml", "--format", "spo");
        assertEquals(0, v1.code(), v1.err());
        assertEquals(
                "security-profiles-operator.x-k8s.io/v1",
                YAML.readTree(v1.out()).get("apiVersion").asText());
        RunTest.Result beta = RunTest.syscage(dir, "export", "p.yaml", "--format", "spo", "--api-version", "v1beta1");
        assertEquals(0, beta.code(), beta.err());
        assertEquals(
                "security-profiles-operator.x-k8s.io/v1beta1",
                YAML.readTree(beta.out()).get("apiVersion").asText());
        RunTest.Result bad = RunTest.syscage(dir, "export", "p.yaml", "--format", "spo", "--api-version", "v2");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("unknown --api-version 'v2' (choose v1 or v1beta1)"), bad.err());
    }

    private static String fixture() throws IOException {
        try (InputStream in = SpoSchemaTest.class.getResourceAsStream("/spo/seccompprofile-schema.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Path findCrd() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(CRD))) {
                return d.resolve(CRD);
            }
        }
        return null;
    }

    private static Path crdOrSkip() {
        Path p = findCrd();
        Assumptions.assumeTrue(
                p != null,
                "../shared/reference/spo/seccompprofile-crd.yaml not present (only in the"
                        + " development workspace); SpoSchemaTest.exportsAreValidForTheProjectsRestatementOfTheSchema covers the"
                        + " same ground");
        return p;
    }
}
