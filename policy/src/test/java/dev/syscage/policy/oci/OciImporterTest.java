package dev.syscage.policy.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Policy;
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
                  - comment: "syscalls[2]: two comparisons on one argument: ORed, as runc does (two comparisons test argument 0: runc makes each comparison a rule of its own, ORed)"
                    action: allow
                    syscalls: [socket]
                    when: "family == 2"
                  - comment: "syscalls[2]: two comparisons on one argument: ORed, as runc does (two comparisons test argument 0: runc makes each comparison a rule of its own, ORed)"
                    action: allow
                    syscalls: [socket]
                    when: "family == 10"
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
        assertTrue(
                yaml.contains(
                        "arch: [x86_64, i386]\ndefault: errno EPERM\nunknown: errno ENOSYS\nbad_arch: kill_thread\n"),
                yaml);
    }

    @Test
    void mapsActionsAsRuncDoes() {
        String yaml = importMini(X86).yaml();
        for (String expected : List.of(
                "action: errno EACCES",
                "action: trap 0",
                "action: trace 7",
                "action: kill_thread",
                "action: kill\n",
                "action: log",
                "action: notify",
                "action: errno EINVAL")) {
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
        String partial =
                importMini(new ImportOptions(oneOfTwo, X86.arches(), "6.18")).yaml();
        assertTrue(partial.contains("#   syscalls[6] clone, unshare: needs CAP_NET_ADMIN\n"), partial);
        assertTrue(partial.contains("#   syscalls[5] clone: excluded with CAP_SYS_ADMIN\n"), partial);
    }

    @Test
    void warnsAboutWhatDoesNotCarryOver() {
        List<String> w = importMini(X86).warnings();
        assertTrue(
                w.contains("syscalls[10].errnoRet: errnoRet is ignored for SCMP_ACT_TRAP (runc ignores it, "
                        + "crun rejects the profile)"),
                w.toString());
        assertTrue(
                w.contains("x32 (SCMP_ARCH_X32) is not supported by syscage; its syscalls get bad_arch"), w.toString());
        assertTrue(
                w.contains("skipped 1 syscall name(s) unknown on x86_64 and i386 (runtimes skip them too): "
                        + "no_such_syscall"),
                w.toString());
        assertTrue(
                w.contains("syscalls[32] (errno EBADF) has no effect on dup2: libseccomp keeps the first "
                        + "unconditional rule, syscalls[33] (allow)"),
                w.toString());
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
    void importsRulesWithDifferentActionsThatCanMatchTheSameCallAsLibseccompOrdersThem() {
        String json = """
                {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
                  {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 10, "op": "SCMP_CMP_LT"}]},
                  {"names": ["socket"], "action": "SCMP_ACT_LOG", "args": [{"index": 1, "value": 1, "op": "SCMP_CMP_EQ"}]}]}
                """;
        ImportResult r =
                OciImporter.importString("clash.json", json, new ImportOptions(null, List.of(Arch.X86_64), "6.18"));
        assertTrue(r.yaml().contains("""
                  - comment: "socket as libseccomp's rule tree decides it (syscalls[0], syscalls[1]), rule 1 of 2"
                    action: log
                    syscalls: [socket]
                    when: "type == 1"
                  - comment: "socket as libseccomp's rule tree decides it (syscalls[0], syscalls[1]), rule 2 of 2"
                    action: allow
                    syscalls: [socket]
                    when: "family < 10"
                """), r.yaml());
        Policy p = CallCorpus.load("clash.yaml", r.yaml());
        int socket = SyscallTable.of(Arch.X86_64).byName("socket").orElseThrow().nr();
        int x86 = Arch.X86_64.auditArch();
        assertEquals(
                Action.LOG,
                ReferenceEvaluator.decide(p, SeccompData.of(socket, x86, 5, 1, 0))
                        .action(),
                "libseccomp's tree tests argument 1 before argument 0");
        assertEquals(
                Action.ALLOW,
                ReferenceEvaluator.decide(p, SeccompData.of(socket, x86, 5, 2, 0))
                        .action());
        assertEquals(
                Action.errno(1),
                ReferenceEvaluator.decide(p, SeccompData.of(socket, x86, 20, 2, 0))
                        .action());
    }

    @Test
    void refusesWhatLibseccompRefuses() {
        String json = """
                {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
                  {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
                  {"names": ["socket"], "action": "SCMP_ACT_LOG", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]}
                """;
        PolicyException e =
                assertThrows(PolicyException.class, () -> OciImporter.importString("clash.json", json, X86));
        assertEquals(
                "clash.json:3:3: error: libseccomp refuses syscalls[1] (log) on socket (x86_64) with EEXIST, as it"
                        + " contradicts an earlier rule: runc would not start the container",
                e.diagnostics().get(0).header());
    }

    @Test
    void refusesValuesThatMeanDifferentThingsOn64And32BitArchitectures() {
        PolicyException e = assertThrows(
                PolicyException.class,
                () -> OciImporter.importString("width.json", CallCorpus.resource("/oci/width.json"), X86));
        assertTrue(
                e.render()
                        .contains(
                                "width.json:7:3: error: syscalls[1]: the comparisons on personality mean 'false' "
                                        + "on x86_64 but 'personality == 8' on i386 (argument widths differ); import one architecture at a time (--arch)"),
                e.render());
    }

    @Test
    void reportsJsonSyntaxErrorsWithLineAndColumn() {
        PolicyException e = assertThrows(
                PolicyException.class,
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
        assertEquals(
                List.of(
                        "bad.json:1:19: error: defaultAction: unknown action 'SCMP_ACT_DENY'; expected one of SCMP_ACT_ALLOW, "
                                + "SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, "
                                + "SCMP_ACT_TRACE, SCMP_ACT_LOG, SCMP_ACT_NOTIFY",
                        "bad.json:1:1: error: both 'architectures' and 'archMap' are given; Docker accepts only one of them",
                        "bad.json:3:15: error: syscalls[0]: both 'name' and 'names' are given; Docker accepts only one of them",
                        "bad.json:4:47: error: syscalls[0].args[0].value: -1 is not an unsigned 64-bit number",
                        "bad.json:4:35: error: syscalls[0].args[0].index: index 7 is out of range; a syscall has arguments 0..5",
                        "bad.json:4:57: error: syscalls[0].args[0].op: unknown operator 'SCMP_CMP_SOMETIMES'; expected SCMP_CMP_NE, "
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
        assertTrue(
                yaml.contains("#   syscalls[17] bpf, clone, clone3, fanotify_init +22 more: needs CAP_SYS_ADMIN\n"),
                yaml);
    }

    /** What {@link #importsMobysDefaultProfile} checks, on the hand-made profile of the same shape. */
    @Test
    void importsADockerShapedProfile() {
        String yaml = OciImporter.importString("docker-shaped.json", OciImportEquivalenceTest.dockerShaped(), X86)
                .yaml();
        assertTrue(yaml.contains("""
                  - comment: "syscalls[13] excludes caps [CAP_SYS_ADMIN]"
                    action: errno ENOSYS
                    syscalls: [clone3]
                """), yaml);
        assertTrue(yaml.contains("    when: \"personality == 0xffffffff\"\n"), yaml);
        assertTrue(
                yaml.contains("#   syscalls[11] mount, umount2, unshare, setns +8 more: needs CAP_SYS_ADMIN\n"), yaml);
        assertTrue(yaml.contains("#   syscalls[14] reboot: needs CAP_SYS_BOOT\n"), yaml);
    }

    @Test
    void comparisonsSharingAnArgumentAreOredAsRuncDoes() {
        String json = """
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
                   "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 40, "op": "SCMP_CMP_EQ"},
                            {"index": 2, "value": 9, "op": "SCMP_CMP_EQ"}]},
                  {"names": ["madvise"], "action": "SCMP_ACT_KILL_PROCESS",
                   "args": [{"index": 2, "value": 4, "op": "SCMP_CMP_NE"}, {"index": 2, "value": 9, "op": "SCMP_CMP_NE"}]}]}
                """;
        ImportResult r =
                OciImporter.importString("or.json", json, new ImportOptions(null, List.of(Arch.X86_64), "6.18"));
        assertTrue(r.yaml().contains("""
                  - comment: "syscalls[0] (two comparisons test argument 0: runc makes each comparison a rule of its own, ORed)"
                    action: errno EACCES
                    syscalls: [socket]
                    when: "family == 16"
                """), r.yaml());
        Policy p = CallCorpus.load("or.yaml", r.yaml());
        int socket = SyscallTable.of(Arch.X86_64).byName("socket").orElseThrow().nr();
        int madvise =
                SyscallTable.of(Arch.X86_64).byName("madvise").orElseThrow().nr();
        int x86 = Arch.X86_64.auditArch();
        assertEquals(
                Action.errno(13),
                ReferenceEvaluator.decide(p, SeccompData.of(socket, x86, 16, 3, 0))
                        .action());
        assertEquals(
                Action.errno(13),
                ReferenceEvaluator.decide(p, SeccompData.of(socket, x86, 40, 1, 0))
                        .action());
        assertEquals(
                Action.errno(13),
                ReferenceEvaluator.decide(p, SeccompData.of(socket, x86, 2, 1, 9))
                        .action(),
                "the comparison on another argument is a rule of its own too");
        assertEquals(
                Action.ALLOW,
                ReferenceEvaluator.decide(p, SeccompData.of(socket, x86, 2, 1, 0))
                        .action());
        for (long advice : new long[] {0, 4, 9}) {
            assertEquals(
                    Action.KILL,
                    ReferenceEvaluator.decide(p, SeccompData.of(madvise, x86, 0, 0, advice))
                            .action(),
                    "advice != 4 || advice != 9 holds for every value, " + advice + " included");
        }
    }

    @Test
    void denyEntriesThatNameNoKnownSyscallAreRefusedUnlessLenient() {
        String json = """
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["Ptrace", "process-vm-writev"], "action": "SCMP_ACT_ERRNO"},
                  {"syscall": "ptrace", "action": "SCMP_ACT_KILL"},
                  {"names": [], "action": "SCMP_ACT_KILL_PROCESS"},
                  {"names": ["no_such_call"], "action": "SCMP_ACT_ALLOW"},
                  {"names": ["getpid", "not_a_call"], "action": "SCMP_ACT_ERRNO"}]}
                """;
        ImportOptions strict = new ImportOptions(null, List.of(Arch.X86_64), "6.18");
        PolicyException e =
                assertThrows(PolicyException.class, () -> OciImporter.importString("typo.json", json, strict));
        assertEquals(
                List.of(
                        "typo.json:2:3: error: syscalls[0] (errno EPERM) names only syscalls unknown on x86_64: Ptrace, "
                                + "process-vm-writev; runc would drop the entry and deny less than the profile says (fix the names,"
                                + " or --lenient drops it as runc does)",
                        "typo.json:3:3: error: syscalls[1] (kill_thread) has no syscall names (an empty 'names', or an old "
                                + "\"syscall\" key, which Docker and runc do not read); runc would drop the entry and deny less than"
                                + " the profile says (fix the names, or --lenient drops it as runc does)",
                        "typo.json:4:3: error: syscalls[2] (kill) has no syscall names (an empty 'names', or an old \"syscall\""
                                + " key, which Docker and runc do not read); runc would drop the entry and deny less than the profile"
                                + " says (fix the names, or --lenient drops it as runc does)"),
                e.diagnostics().stream().map(Diagnostic::header).toList());
        ImportResult r = OciImporter.importString("typo.json", json, strict.withLenient(true));
        assertTrue(r.yaml().contains("""
                # Deny entries dropped as runc drops them (--lenient):
                #   syscalls[0] (errno EPERM) names only syscalls unknown on x86_64: Ptrace, process-vm-writev
                #   syscalls[1] (kill_thread) has no syscall names (an empty 'names', or an old "syscall" key, which Docker and runc do not read)
                #   syscalls[2] (kill) has no syscall names (an empty 'names', or an old "syscall" key, which Docker and runc do not read)
                # Syscall names unknown on x86_64, skipped (runtimes skip them too):
                #   Ptrace, process-vm-writev, no_such_call, not_a_call
                """), r.yaml());
        assertTrue(
                r.warnings()
                        .contains("syscalls[1] (kill_thread) has no syscall names (an empty 'names', or an old "
                                + "\"syscall\" key, which Docker and runc do not read); dropped as runc drops it (--lenient): the profile"
                                + " denies less than it says"),
                r.warnings().toString());
    }

    @Test
    void refusesUnknownArchitecturesAsRuncDoesUnlessLenient() {
        String json = """
                {"defaultAction": "SCMP_ACT_ERRNO",
                 "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_FOO", "SCMP_ARCH_S390X"],
                 "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}
                """;
        ImportOptions strict = new ImportOptions(null, List.of(Arch.X86_64), "6.18");
        PolicyException e =
                assertThrows(PolicyException.class, () -> OciImporter.importString("arch.json", json, strict));
        assertEquals(
                "arch.json:2:40: error: unknown architecture 'SCMP_ARCH_FOO': runc refuses the profile (libseccomp"
                        + " has no such architecture); --lenient drops it",
                e.diagnostics().get(0).header());
        ImportResult r = OciImporter.importString("arch.json", json, strict.withLenient(true));
        assertTrue(
                r.warnings()
                        .contains("architectures[1]: unknown architecture 'SCMP_ARCH_FOO' dropped (runc refuses the"
                                + " profile; --lenient ignores it)"),
                r.warnings().toString());
        assertTrue(
                r.warnings().contains("SCMP_ARCH_S390X is not supported by syscage; dropped (its calls get bad_arch)"),
                r.warnings().toString());
    }

    @Test
    void refusesErrnoValuesLibseccompRefuses() {
        String json = """
                {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 4095,
                 "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 4096},
                              {"names": ["write"], "action": "SCMP_ACT_ERRNO", "errnoRet": 4094}]}
                """;
        PolicyException e =
                assertThrows(PolicyException.class, () -> OciImporter.importString("errno.json", json, X86));
        assertEquals(
                List.of(
                        "errno.json:1:56: error: defaultErrnoRet: errno 4095 is not below 4095 (MAX_ERRNO): libseccomp refuses it,"
                                + " so runc would not start the container",
                        "errno.json:2:75: error: syscalls[0].errnoRet: errno 4096 is not below 4095 (MAX_ERRNO): libseccomp"
                                + " refuses it, so runc would not start the container"),
                e.diagnostics().stream().map(Diagnostic::header).toList());
    }

    /** containers/common's errno names: used where no errnoRet is given, and refused where the two disagree. */
    @Test
    void readsPodmansErrnoNames() {
        String json = """
                {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrno": "ENOSYS",
                 "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errno": "EAFNOSUPPORT"},
                              {"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}
                """;
        ImportResult r = OciImporter.importString("names.json", json, X86);
        assertTrue(
                r.warnings().stream().noneMatch(w -> w.contains("unknown key")),
                r.warnings().toString());
        Policy p = CallCorpus.load("names.yaml", r.yaml());
        int socket = SyscallTable.of(Arch.X86_64).byName("socket").orElseThrow().nr();
        int write = SyscallTable.of(Arch.X86_64).byName("write").orElseThrow().nr();
        assertEquals(
                Action.errno(97),
                ReferenceEvaluator.decide(p, SeccompData.of(socket, Arch.X86_64.auditArch()))
                        .action());
        assertEquals(
                Action.errno(38),
                ReferenceEvaluator.decide(p, SeccompData.of(write, Arch.X86_64.auditArch()))
                        .action());

        String bad = """
                {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "defaultErrno": "EPERM",
                 "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "errno": "EINVAL"},
                              {"names": ["read"], "action": "SCMP_ACT_ERRNO", "errno": "EPREM"}]}
                """;
        PolicyException e = assertThrows(PolicyException.class, () -> OciImporter.importString("bad.json", bad, X86));
        assertEquals(
                List.of(
                        "bad.json:2:89: error: syscalls[0].errno: errno EINVAL (22) and errnoRet 1 disagree; give one, or both"
                                + " alike",
                        "bad.json:3:72: error: syscalls[1].errno: unknown errno name 'EPREM' (did you mean 'EPERM'?)"),
                e.diagnostics().stream().map(Diagnostic::header).toList());
    }

    @Test
    void refusesDuplicateKeysAndDataAfterTheProfile() {
        PolicyException dup = assertThrows(
                PolicyException.class,
                () -> OciImporter.importString(
                        "dup.json",
                        "{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n \"defaultAction\": \"SCMP_ACT_ALLOW\"}",
                        X86));
        assertTrue(
                dup.render().startsWith("dup.json:2:17: error: invalid JSON: Duplicate field 'defaultAction'"),
                dup.render());
        PolicyException trailing = assertThrows(
                PolicyException.class,
                () -> OciImporter.importString(
                        "tail.json",
                        "{\"defaultAction\": \"SCMP_ACT_ERRNO\"}\n{\"defaultAction\": \"SCMP_ACT_ALLOW\"}",
                        X86));
        assertTrue(
                trailing.render().startsWith("tail.json:2:1: error: invalid JSON: Trailing token"), trailing.render());
    }

    private static ImportResult importMini(ImportOptions o) {
        return OciImporter.importString("mini.json", CallCorpus.resource("/oci/mini.json"), o);
    }
}
