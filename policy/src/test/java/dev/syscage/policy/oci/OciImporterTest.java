package dev.syscage.policy.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.diag.PolicyException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The YAML the importer writes, its warnings, and the profiles it refuses. */
class OciImporterTest {
    private static final ImportOptions X86 = new ImportOptions(null, List.of(Arch.X86_64, Arch.I386), "6.18");

    @Test
    void writesOneRulePerEntryWithItsOrigin() {
        String yaml = importMini(X86).yaml();
        assertTrue(yaml.contains("""
                  - comment: "syscalls[2]: two comparisons on one argument: ANDed"
                    action: allow
                    syscalls: [socket]
                    when: "family >= 2 && family <= 10"
                """), yaml);
        assertTrue(yaml.contains("""
                  - comment: "syscalls[5] excludes caps [CAP_SYS_ADMIN]"
                    action: allow
                    syscalls: [clone]
                    when: "(clone_flags & 0x7e020000) == 0"
                """), yaml);
        assertTrue(yaml.contains("""
                  - comment: "syscalls[9]: valueTwo has bits outside the mask"
                    action: allow
                    syscalls: [ioctl]
                    when: "(cmd & 0xff00) == 0x5400"
                """), yaml);
        assertTrue(yaml.contains("arch: [x86_64, i386]\ndefault: errno EPERM\nunknown: errno ENOSYS\nbad_arch: kill_thread\n"), yaml);
    }

    @Test
    void mapsActionsAsRuncDoes() {
        String yaml = importMini(X86).yaml();
        for (String expected : List.of("action: errno EACCES", "action: trap 0", "action: trace 7", "action: kill_thread",
                "action: kill\n", "action: log", "action: notify", "action: errno EINVAL")) {
            assertTrue(yaml.contains(expected), expected + " missing in\n" + yaml);
        }
    }

    @Test
    void listsEntriesDockerLeavesOutInTheHeader() {
        String yaml = importMini(X86).yaml();
        assertTrue(yaml.contains("#   syscalls[6] clone, unshare: needs CAP_SYS_ADMIN\n"), yaml);
        assertTrue(yaml.contains("#   syscalls[21] umask: needs kernel 99.0\n"), yaml);
        assertTrue(yaml.contains("#   syscalls[22] getppid: excluded on kernel 5.0 and later\n"), yaml);
        assertTrue(yaml.contains("#   syscalls[24] modify_ldt: only for x86\n"), yaml);
        assertTrue(yaml.contains("#   syscalls[25] getuid: excluded on amd64\n"), yaml);
        Set<String> oneOfTwo = new java.util.TreeSet<>(ImportOptions.DOCKER_DEFAULT_CAPS);
        oneOfTwo.add("CAP_SYS_ADMIN");
        String partial = importMini(new ImportOptions(oneOfTwo, X86.arches(), "6.18")).yaml();
        assertTrue(partial.contains("#   syscalls[6] clone, unshare: needs CAP_NET_ADMIN\n"), partial);
        assertTrue(partial.contains("#   syscalls[5] clone: excluded with CAP_SYS_ADMIN\n"), partial);
    }

    @Test
    void warnsAboutWhatDoesNotCarryOver() {
        List<String> w = importMini(X86).warnings();
        assertTrue(w.contains("syscalls[10].errnoRet: errnoRet is ignored for SCMP_ACT_TRAP (runc ignores it, "
                + "crun rejects the profile)"), w.toString());
        assertTrue(w.contains("x32 (SCMP_ARCH_X32) is not supported by syscage; its syscalls get bad_arch"), w.toString());
        assertTrue(w.contains("skipped 1 syscall name(s) unknown on x86_64 and i386 (runtimes skip them too): "
                + "no_such_syscall"), w.toString());
        assertTrue(w.contains("syscalls[32] (errno EBADF) has no effect on dup2: libseccomp keeps the first "
                + "unconditional rule, syscalls[33] (allow)"), w.toString());
    }

    @Test
    void aPermissiveDefaultGetsNoEnosysRule() {
        String json = """
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["ptrace"], "action": "SCMP_ACT_KILL_PROCESS"}]}
                """;
        String yaml = OciImporter.importString("deny.json", json, X86).yaml();
        assertTrue(yaml.contains("default: allow\nunknown: allow\n"), yaml);
        assertFalse(yaml.contains("ENOSYS"), yaml);
        CallCorpus.load("deny.yaml", yaml);
    }

    @Test
    void refusesRulesWithDifferentActionsThatCanMatchTheSameCall() {
        String json = """
                {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
                  {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 10, "op": "SCMP_CMP_LT"}]},
                  {"names": ["socket"], "action": "SCMP_ACT_LOG", "args": [{"index": 1, "value": 1, "op": "SCMP_CMP_EQ"}]}]}
                """;
        PolicyException e = assertThrows(PolicyException.class, () -> OciImporter.importString("clash.json", json, X86));
        assertEquals("syscage: error: clash.json: syscalls[0] (allow) and syscalls[1] (log) can both match socket on x86_64; "
                + "libseccomp would choose by the shape of its rule tree (or reject identical comparisons), which "
                + "first-match rules cannot reproduce", e.render());
    }

    @Test
    void refusesValuesThatMeanDifferentThingsOn64And32BitArchitectures() {
        PolicyException e = assertThrows(PolicyException.class,
                () -> OciImporter.importString("width.json", CallCorpus.resource("/oci/width.json"), X86));
        assertTrue(e.render().contains("syscage: error: width.json: syscalls[1]: the comparisons on personality mean 'false' "
                + "on x86_64 but 'personality == 8' on i386 (argument widths differ); import one architecture at a time (--arch)"),
                e.render());
    }

    @Test
    void reportsJsonSyntaxErrorsWithLineAndColumn() {
        PolicyException e = assertThrows(PolicyException.class,
                () -> OciImporter.importString("bad.json", "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  ]\n}", X86));
        assertTrue(e.render().startsWith("bad.json:3:3: error: invalid JSON: Unexpected character (']'"), e.render());
    }

    @Test
    void reportsEveryBadFieldWithItsPath() {
        String json = """
                {"defaultAction": "SCMP_ACT_DENY", "architectures": ["SCMP_ARCH_X86_64"],
                 "archMap": [{"architecture": "SCMP_ARCH_X86_64"}],
                 "syscalls": [{"name": "read", "names": ["write"], "action": "SCMP_ACT_ALLOW",
                               "args": [{"index": 7, "value": -1, "op": "SCMP_CMP_SOMETIMES"}]}]}
                """;
        PolicyException e = assertThrows(PolicyException.class, () -> OciImporter.importString("bad.json", json, X86));
        assertEquals(List.of(
                "syscage: error: bad.json: defaultAction: unknown action 'SCMP_ACT_DENY'; expected one of SCMP_ACT_ALLOW, "
                        + "SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, "
                        + "SCMP_ACT_TRACE, SCMP_ACT_LOG, SCMP_ACT_NOTIFY",
                "syscage: error: bad.json: both 'architectures' and 'archMap' are given; Docker accepts only one of them",
                "syscage: error: bad.json: syscalls[0]: both 'name' and 'names' are given; Docker accepts only one of them",
                "syscage: error: bad.json: syscalls[0].args[0].value: -1 is not an unsigned 64-bit number",
                "syscage: error: bad.json: syscalls[0].args[0].index: index 7 is out of range; a syscall has arguments 0..5",
                "syscage: error: bad.json: syscalls[0].args[0].op: unknown operator 'SCMP_CMP_SOMETIMES'; expected SCMP_CMP_NE, "
                        + "SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT or SCMP_CMP_MASKED_EQ"),
                e.diagnostics().stream().map(d -> d.header()).toList());
    }

    @Test
    void normalisesCapabilityNames() {
        ImportOptions o = new ImportOptions(Set.of("sys_admin", "CAP_NET_ADMIN", " cap_kill "), List.of(), "6.18");
        assertEquals(Set.of("CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_KILL"), o.caps());
    }

    @Test
    void defaultsAreDockersCapabilitiesTheRunningKernelAndTheProfilesArchitecturesForThisHost() {
        ImportOptions d = ImportOptions.defaults();
        assertEquals(ImportOptions.DOCKER_DEFAULT_CAPS, d.caps());
        assertEquals(System.getProperty("os.version"), d.kernel());
        String yaml = importMini(d).yaml();
        Arch host = Arch.nativeArch();
        String arches = host == Arch.X86_64 ? "[x86_64, i386]" : "[" + host + "]";
        assertTrue(yaml.contains("arch: " + arches + "\n"), yaml);
    }

    @Test
    void importsMobysDefaultProfile() throws IOException {
        String json = Files.readString(OciImportEquivalenceTest.mobyOrSkip());
        String yaml = OciImporter.importString("moby-default.json", json, X86).yaml();
        assertTrue(yaml.contains("""
                  - comment: "syscalls[20] excludes caps [CAP_SYS_ADMIN]"
                    action: errno ENOSYS
                    syscalls: [clone3]
                """), yaml);
        assertTrue(yaml.contains("    when: \"personality == 0xffffffff\"\n"), yaml);
        assertTrue(yaml.contains("#   syscalls[17] bpf, clone, clone3, fanotify_init +22 more: needs CAP_SYS_ADMIN\n"), yaml);
    }

    private static ImportResult importMini(ImportOptions o) {
        return OciImporter.importString("mini.json", CallCorpus.resource("/oci/mini.json"), o);
    }
}
