package dev.syscage.policy.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.model.Policy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the exported JSON says, what the exporter refuses, and how it degrades. */
class OciExporterTest {
    private static final String HEAD = """
            version: 1
            name: t
            arch: [x86_64]
            default: errno EPERM
            unknown: errno ENOSYS
            bad_arch: kill_thread
            rules:
            """;

    @Test
    void writesDefaultActionArchitecturesAndUnconditionalEntries() {
        JsonNode j = export(HEAD.replace("[x86_64]", "[x86_64, i386, aarch64]") + """
                  - action: allow
                    syscalls: [read, write]
                """);
        assertEquals("SCMP_ACT_ERRNO", j.get("defaultAction").asText());
        assertEquals(1, j.get("defaultErrnoRet").asInt());
        assertEquals(
                "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_AARCH64\"]",
                j.get("architectures").toString());
        JsonNode first = j.get("syscalls").get(0);
        assertEquals("[\"read\",\"write\"]", first.get("names").toString());
        assertEquals("SCMP_ACT_ALLOW", first.get("action").asText());
        assertFalse(first.has("args"));
        assertEquals("rule #1 (t.yaml:8)", first.get("comment").asText());
    }

    @Test
    void equalityOnA32BitArgumentIsMaskedSoUpperGarbageIsIgnored() {
        JsonNode e = onlyEntry(export(HEAD + """
                  - action: allow
                    syscalls: [ioctl]
                    when: "cmd == TCGETS"
                """), "ioctl");
        assertEquals(
                "[{\"index\":1,\"value\":4294967295,\"valueTwo\":21505,\"op\":\"SCMP_CMP_MASKED_EQ\"}]",
                e.get("args").toString());
    }

    @Test
    void a64BitArgumentUsesThePlainComparison() {
        JsonNode e = onlyEntry(export(HEAD + """
                  - action: allow
                    syscalls: [lseek]
                    when: "offset >= 0x100000000"
                """), "lseek");
        assertEquals(
                "[{\"index\":1,\"value\":4294967296,\"valueTwo\":0,\"op\":\"SCMP_CMP_GE\"}]",
                e.get("args").toString());
    }

    @Test
    void anyOfSeveralBitsBecomesOneEntryPerBit() {
        List<JsonNode> es = entries(export(HEAD + """
                  - action: errno EACCES
                    syscalls: [mprotect]
                    when: "prot & (PROT_WRITE | PROT_EXEC)"
                """), "mprotect");
        assertEquals(
                List.of(
                        "[{\"index\":2,\"value\":2,\"valueTwo\":2,\"op\":\"SCMP_CMP_MASKED_EQ\"}]",
                        "[{\"index\":2,\"value\":4,\"valueTwo\":4,\"op\":\"SCMP_CMP_MASKED_EQ\"}]"),
                args(es));
        es.forEach(x -> assertEquals(13, x.get("errnoRet").asInt()));
    }

    @Test
    void laterRulesExcludeWhatEarlierRulesWithOtherActionsTook() {
        List<JsonNode> es = entries(export(HEAD.replace("errno EPERM", "kill") + """
                  - action: errno EACCES
                    syscalls: [mprotect]
                    when: "prot & PROT_EXEC"
                  - action: allow
                    syscalls: [mprotect]
                """), "mprotect");
        assertEquals(2, es.size());
        assertEquals("SCMP_ACT_ERRNO", es.get(0).get("action").asText());
        assertEquals("SCMP_ACT_ALLOW", es.get(1).get("action").asText());
        assertEquals(
                "[{\"index\":2,\"value\":4,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]",
                es.get(1).get("args").toString());
    }

    @Test
    void twoTestsOnOneArgumentNeverShareAnEntry() {
        List<JsonNode> es = entries(export(HEAD + """
                  - action: allow
                    syscalls: [socket]
                    when: "family >= 2 && family <= 10"
                """), "socket");
        assertEquals(4, es.size());
        es.forEach(x -> assertEquals(1, x.get("args").size(), x.toString()));
    }

    @Test
    void nameTheNewestSyscallsSoRuncsEnosysStubOnlyCoversNewerOnes() {
        JsonNode j = export(HEAD.replace("errno EPERM", "kill") + """
                  - action: allow
                    syscalls: [read]
                """);
        JsonNode last = j.get("syscalls").get(j.get("syscalls").size() - 1);
        assertEquals("SCMP_ACT_KILL_PROCESS", last.get("action").asText());
        assertEquals("[\"file_setattr\"]", last.get("names").toString());
    }

    @Test
    void refusesAConditionThatNeedsTooManyEntriesNamingTheRule() {
        Policy p = CallCorpus.load("big.yaml", HEAD + """
                  - action: allow
                    syscalls: [read]
                  - action: allow
                    syscalls: [fcntl]
                    when: "fd != 1 && cmd != 2 && arg != 3"
                """);
        PolicyException e = assertThrows(PolicyException.class, () -> OciExporter.export(p, ExportOptions.defaults()));
        assertEquals(
                "big.yaml:10:5: error: cannot export fcntl to OCI: its calls need more than 256 OCI entries "
                        + "(ExportOptions.maxEntriesPerSyscall) (ExportOptions.degrade ERRNO or ALLOW replaces such syscalls)\n"
                        + "      - action: allow\n"
                        + "        ^",
                e.render());
    }

    @Test
    void refusesRulesThatMeanDifferentThingsOnX86_64AndI386() {
        Policy p = CallCorpus.load("cross.yaml", HEAD.replace("[x86_64]", "[x86_64, i386]") + """
                  - action: allow
                    syscalls: [clone]
                    when: "tls == 0"
                """);
        PolicyException e = assertThrows(PolicyException.class, () -> OciExporter.export(p, ExportOptions.defaults()));
        assertTrue(
                e.render()
                        .startsWith("cross.yaml:8:5: error: cannot export clone on x86_64/i386 to OCI: its rules mean "
                                + "different things on x86_64 and i386"),
                e.render());
    }

    @Test
    void degradesToErrnoOrAllowWithAWarning() {
        Policy p = CallCorpus.load("big.yaml", HEAD.replace("errno EPERM", "kill") + """
                  - action: allow
                    syscalls: [fcntl]
                    when: "fd != 1 && cmd != 2 && arg != 3"
                """);
        ExportResult errno = OciExporter.exportWithWarnings(p, new ExportOptions(ExportOptions.Degrade.ERRNO));
        JsonNode e = onlyEntry(parse(errno.json()), "fcntl");
        assertEquals("SCMP_ACT_ERRNO", e.get("action").asText());
        assertFalse(e.has("args"));
        assertTrue(
                errno.warnings()
                        .contains(
                                "big.yaml:8: rule #1 (big.yaml:8): fcntl cannot be expressed in OCI (its calls "
                                        + "need more than 256 OCI entries (ExportOptions.maxEntriesPerSyscall)); exported as errno EPERM for every call"),
                errno.warnings().toString());
        ExportResult allow = OciExporter.exportWithWarnings(p, new ExportOptions(ExportOptions.Degrade.ALLOW));
        assertEquals(
                "SCMP_ACT_ALLOW",
                onlyEntry(parse(allow.json()), "fcntl").get("action").asText());
    }

    @Test
    void warnsAboutWhatOciCannotSay() {
        Policy p = CallCorpus.load("w.yaml", """
                version: 1
                arch: [x86_64]
                default: kill
                unknown: errno EACCES
                bad_arch: kill
                rules:
                  - action: trap 7
                    syscalls: [mount]
                  - action: notify
                    syscalls: [unshare]
                """);
        List<String> w =
                OciExporter.exportWithWarnings(p, ExportOptions.defaults()).warnings();
        assertEquals(
                List.of(
                        "w.yaml:4: unknown: errno EACCES cannot be expressed in OCI; syscalls newer than syscage's tables get "
                                + "errno ENOSYS from runc (other runtimes: the defaultAction)",
                        "w.yaml:5: bad_arch: kill cannot be expressed in OCI; libseccomp kills the thread for other architectures",
                        "trap data cannot be expressed in OCI (runc ignores errnoRet for SCMP_ACT_TRAP, crun rejects it); "
                                + "the signal's si_errno will be 0",
                        "SCMP_ACT_NOTIFY needs a listenerPath in the container's OCI config (runc, crun)"),
                w);
    }

    static JsonNode export(String yaml) {
        return parse(OciExporter.export(CallCorpus.load("t.yaml", yaml), ExportOptions.defaults()));
    }

    static JsonNode parse(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> entries(JsonNode profile, String name) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : profile.get("syscalls")) {
            for (JsonNode n : e.get("names")) {
                if (n.asText().equals(name)) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    static JsonNode onlyEntry(JsonNode profile, String name) {
        List<JsonNode> es = entries(profile, name);
        assertEquals(1, es.size(), es.toString());
        return es.get(0);
    }

    static List<String> args(List<JsonNode> es) {
        return es.stream().map(e -> e.get("args").toString()).toList();
    }
}
