package dev.syscage.cli;

import static dev.syscage.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syscage.cli.CliTest.Run;
import dev.syscage.policy.landlock.FsAccess;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.NetAccess;
import dev.syscage.policy.landlock.Scope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command shows a policy's Landlock ruleset: {@code run --dry-run}, {@code check},
 * {@code disasm}, {@code compile --format json|disasm}; {@code compile --landlock-out} writes it
 * for the launcher and the raw format warns that it lacks it; {@code export} refuses it without
 * {@code --degrade} and names what is lost with it.
 */
class CliLandlockTest {
    @TempDir
    Path dir;

    private static final String WEB = """
            version: 1
            name: web
            arch: x86_64
            default: errno EPERM
            rules:
              - action: allow
                syscalls: [read, write, openat, close, exit_group, execve]
            filesystem:
              allow:
                - paths: [/usr, /etc]
                  access: [read, execute]
                - paths: [/tmp]
                  access: [read, write, create, remove]
                  optional: true
            network:
              connect: [443]
            scope: [signal]
            """;

    /** What describe() prints for WEB, file names aside. */
    private static List<String> webLines(Path p) {
        return List.of(
                "landlock: file system (every right, 3 path rules), network (bind, connect by TCP port), scope (signal);"
                        + " Landlock ABI 6+, required",
                "  file system confined: execute, write_file, read_file, read_dir, remove_dir, remove_file, make_char,"
                        + " make_dir, make_reg, make_sock, make_fifo, make_block, make_sym, refer, truncate, ioctl_dev",
                "  allow /usr: execute, read_file, read_dir (" + p + ":10)",
                "  allow /etc: execute, read_file, read_dir (" + p + ":10)",
                "  allow /tmp if it exists: write_file, read_file, read_dir, remove_dir, remove_file, make_dir, make_reg,"
                        + " make_sock, make_fifo, make_sym, truncate (" + p + ":12)",
                "  network: bind tcp on no port",
                "  network: connect tcp 443",
                "  scope: signal",
                "  not Landlock's: chmod, chown, utime, xattr changes and ioctl on regular files (seccomp and supervise rules)");
    }

    private Path policy(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void dryRunShowsTheRulesetAfterTheRules() throws IOException {
        Path p = policy("web.yaml", WEB);
        Run r = run("run", "--policy", p.toString(), "--dry-run", "--", "true");
        assertEquals(0, r.code(), r.err());
        String expected = String.join("\n", webLines(p)) + "\nlandlock on this kernel: ABI "
                + dev.syscage.run.LandlockPlan.kernelAbi().version() + ", all of it enforced\nwould run: ";
        assertTrue(
                withoutContainment(r.out())
                        .contains("  #1 " + p + ":6: allow [read, write, openat, close, exit_group, execve]\n"
                                + expected),
                r.out());
    }

    @Test
    void dryRunOfAPolicyWithoutTheSectionsSaysNone() throws IOException {
        Path p = policy("plain.yaml", WEB.substring(0, WEB.indexOf("filesystem:")));
        Run r = run("run", "--policy", p.toString(), "--dry-run", "--", "true");
        assertEquals(0, r.code(), r.err());
        assertTrue(
                withoutContainment(r.out())
                        .contains("\nlandlock: none (no filesystem, network or scope section)\nwould run: "),
                r.out());
    }

    /** A policy that requires Landlock on a kernel without it: exit 2, nothing run. */
    @Test
    void runRefusesWhatTheKernelCannotEnforce() throws IOException {
        Path p = policy("web.yaml", WEB);
        Path marker = dir.resolve("ran");
        System.setProperty(dev.syscage.run.LandlockPlan.ABI_PROPERTY, "3");
        try {
            Run r = run("run", "--policy", p.toString(), "--", "touch", marker.toString());
            assertEquals(2, r.code(), r.err());
            assertEquals(
                    "syscage: the policy's Landlock sections need ABI 6, and this kernel's Landlock is ABI 3: it"
                            + " cannot enforce fs.ioctl_dev, net.bind_tcp, net.connect_tcp, scope.signal; nothing was run (add"
                            + " 'landlock: best-effort' to the policy to run without them, with a warning)\n",
                    r.err());
            Run dry = run("run", "--policy", p.toString(), "--dry-run", "--", "true");
            assertEquals(2, dry.code(), dry.err());
        } finally {
            System.clearProperty(dev.syscage.run.LandlockPlan.ABI_PROPERTY);
        }
        assertFalse(Files.exists(marker));
    }

    /**
     * On a kernel without Landlock a best-effort policy's filesystem section is carried by the
     * filter and the supervisor (SupervisorFallback); dry-run shows how, and the warnings name what
     * is lost. On a kernel with Landlock nothing of it appears.
     */
    @Test
    void dryRunWithoutLandlockShowsTheSupervisorFallback() throws IOException {
        Path p = policy(
                "web.yaml", WEB.replace("default: errno EPERM\n", "default: errno EPERM\nlandlock: best-effort\n"));
        System.setProperty(dev.syscage.run.LandlockPlan.ABI_PROPERTY, "0");
        Run r;
        try {
            r = run("run", "--policy", p.toString(), "--dry-run", "--", "true");
        } finally {
            System.clearProperty(dev.syscage.run.LandlockPlan.ABI_PROPERTY);
        }
        assertEquals(0, r.code(), r.err());
        String out = withoutContainment(r.out());
        String expected = String.join(
                "\n",
                "landlock on this kernel: ABI 0, none of it enforced",
                "filesystem without Landlock: enforced by the filter and the supervisor's path rules",
                "  filter: trace (the supervisor checks the path) for some calls of execve, openat",
                "  supervise rule #1: allow execve at /usr, /usr/**, /etc, /etc/**",
                "  supervise rule #2: allow openat at /usr, /usr/**, /etc, /etc/**, /tmp, /tmp/**",
                "  supervise rule #3: allow openat at /tmp/**, /usr, /etc, /tmp",
                "  supervise rule #4: allow openat at /tmp, /tmp/**",
                "  supervise rule #5: allow openat at /tmp/**, /tmp",
                "  supervise rule #6: errno 13 execve, openat",
                "warning: this kernel has no Landlock: the filesystem section is enforced by the supervisor's path rules"
                        + " instead (slower; see docs/policy.md)",
                "warning: without Landlock these are NOT enforced: fs.ioctl_dev (ioctl on devices), fs.make_sock by bind()"
                        + " of a UNIX socket, net.bind_tcp, net.connect_tcp, scope.signal, the domain's own guard (no ptrace"
                        + " or /proc/PID/mem of processes outside it)",
                "would run: ");
        assertTrue(
                out.contains(
                        "  not Landlock's: chmod, chown, utime, xattr changes and ioctl on regular files (seccomp and"
                                + " supervise rules)\n" + expected),
                out);
        // in notify mode the execve rule is no boundary: the lint says so at the path rule it comes from
        assertTrue(r.err().contains(p + ":11:15: warning: supervise rule #1 decides execve by path"), r.err());
        Run real = run("run", "--policy", p.toString(), "--dry-run", "--", "true");
        assertEquals(0, real.code(), real.err());
        assertFalse(real.out().contains("without Landlock"), real.out());
    }

    /** 'landlock: required' on a kernel without Landlock: refused as before, no fallback. */
    @Test
    void aPolicyThatRequiresLandlockGetsNoFallback() throws IOException {
        Path p = policy("web.yaml", WEB);
        System.setProperty(dev.syscage.run.LandlockPlan.ABI_PROPERTY, "0");
        try {
            Run r = run("run", "--policy", p.toString(), "--dry-run", "--", "true");
            assertEquals(2, r.code(), r.err());
            assertTrue(
                    r.err()
                            .startsWith(
                                    "syscage: the policy's Landlock sections need ABI 6, and this kernel has no"
                                            + " Landlock (Linux 5.13+ with landlock in the lsm= list): it cannot enforce fs.execute,"),
                    r.err());
        } finally {
            System.clearProperty(dev.syscage.run.LandlockPlan.ABI_PROPERTY);
        }
    }

    @Test
    void checkEndsWithASummary() throws IOException {
        Path p = policy("web.yaml", WEB);
        Run r = run("check", p.toString(), "openat", "AT_FDCWD", "0", "O_RDWR");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals(5, lines.length, r.out());
        assertEquals("openat (nr 257) on x86_64: allow", lines[0]);
        assertEquals(webLines(p).get(0), lines[3]);
        assertEquals(
                "  a call the filter allows may still be refused by Landlock (EACCES, EPERM) by its path, port or"
                        + " target",
                lines[4]);
        Path plain = policy("plain.yaml", WEB.substring(0, WEB.indexOf("filesystem:")));
        Run none = run("check", plain.toString(), "read");
        assertTrue(
                none.out().endsWith("executed\nlandlock: none (no filesystem, network or scope section)\n"),
                none.out());
    }

    @Test
    void disasmPutsTheRulesetInCommentsBeforeTheProgram() throws IOException {
        Path p = policy("web.yaml", WEB);
        Run d = run("disasm", p.toString());
        assertEquals(0, d.code(), d.err());
        String comments = webLines(p).stream().map(l -> "; " + l + "\n").reduce("", String::concat);
        assertTrue(d.out().startsWith(comments + "0000: ld  [4]"), d.out());
        Run c = run("compile", p.toString(), "--format", "disasm");
        assertEquals(d.out(), c.out());
        Path plain = policy("plain.yaml", WEB.substring(0, WEB.indexOf("filesystem:")));
        assertTrue(run("disasm", plain.toString()).out().startsWith("0000: ld  [4]"), "no comments without a ruleset");
    }

    @Test
    void compileJsonHasALandlockObject() throws IOException {
        Path p = policy("web.yaml", WEB);
        Run j = run("compile", p.toString(), "--format", "json");
        assertEquals(0, j.code(), j.err());
        assertFalse(j.err().contains("Landlock"), "the JSON carries the ruleset: " + j.err());
        JsonNode root = new ObjectMapper().readTree(j.out());
        assertTrue(root.get("instructions").size() > 0);
        JsonNode ll = root.get("landlock");
        assertEquals(6, ll.get("abi").asInt());
        assertEquals("required", ll.get("compat").asText());
        assertEquals("0xffff", ll.get("fs").get("mask").asText());
        assertEquals("0x3", ll.get("net").get("mask").asText());
        assertEquals("[\"connect_tcp\"]", ll.get("ports").get(0).get("access").toString());
        assertEquals("[\"signal\"]", ll.get("scope").get("names").toString());
        assertEquals(List.of("/usr", "/etc", "/tmp"), ll.get("paths").findValuesAsText("path"));
        assertEquals(p + ":12", ll.get("paths").get(2).get("source").asText());
        assertTrue(ll.get("paths").get(2).get("optional").asBoolean());
        Path plain = policy("plain.yaml", WEB.substring(0, WEB.indexOf("filesystem:")));
        JsonNode none = new ObjectMapper()
                .readTree(run("compile", plain.toString(), "--format", "json").out());
        assertEquals(0, none.get("landlock").get("abi").asInt());
        assertEquals(0, none.get("landlock").get("paths").size());
    }

    @Test
    void landlockOutWritesTheLaunchersFileAndRawWithoutItWarns() throws IOException {
        Path p = policy("web.yaml", WEB);
        Path bpf = dir.resolve("web.bpf");
        Path ll = dir.resolve("web.landlock");
        Run both = run("compile", p.toString(), "-o", bpf.toString(), "--landlock-out", ll.toString());
        assertEquals(0, both.code(), both.err());
        assertTrue(
                both.err().endsWith(p + ": Landlock ruleset (filesystem, network, scope; ABI 6+) -> " + ll + "\n"),
                both.err());
        LandlockRuleset back = LandlockRuleset.parse(Files.readString(ll));
        assertEquals(FsAccess.ALL, back.handledFs());
        assertEquals(NetAccess.ALL, back.handledNet());
        assertEquals(Scope.SIGNAL, back.scoped());
        assertEquals(
                "path 0xd required /usr", Files.readString(ll).lines().toList().get(5));

        Run raw = run("compile", p.toString(), "-o", bpf.toString());
        assertEquals(0, raw.code(), raw.err());
        assertTrue(
                raw.err()
                        .endsWith(p + ": warning: the policy's Landlock sections (filesystem, network, scope) are"
                                + " not in the raw output; write them with --landlock-out FILE and give both to syscage-launch"
                                + " (--filter F.bpf --landlock FILE)\n"),
                raw.err());

        Path plain = policy("plain.yaml", WEB.substring(0, WEB.indexOf("filesystem:")));
        Run quiet = run("compile", plain.toString(), "-o", bpf.toString());
        assertFalse(quiet.err().contains("Landlock"), quiet.err());
        Run empty = run("compile", plain.toString(), "-o", bpf.toString(), "--landlock-out", ll.toString());
        assertEquals(0, empty.code(), empty.err());
        assertEquals(LandlockRuleset.NONE, LandlockRuleset.parse(Files.readString(ll)));
    }

    @Test
    void exportRefusesTheSectionsWithoutDegradeAndNamesWhatIsLostWithIt() throws IOException {
        Path p = policy("web.yaml", WEB);
        Run refused = run("export", p.toString());
        assertEquals(2, refused.code(), refused.err());
        assertEquals(
                p + ":10:15: error: the Landlock sections (filesystem, network, scope) cannot be exported: container"
                        + " runtimes apply a seccomp profile, not Landlock; --degrade errno or --degrade allow exports the seccomp"
                        + " part without them\n"
                        + "        - paths: [/usr, /etc]\n"
                        + "                  ^\n"
                        + "1 error\n",
                refused.err());
        assertEquals("", refused.out());
        Run degraded = run("export", p.toString(), "--degrade", "errno");
        assertEquals(0, degraded.code(), degraded.err());
        assertTrue(
                degraded.err()
                        .startsWith(p + ":10: warning: the Landlock sections (filesystem, network, scope) are"
                                + " not exported (container runtimes apply a seccomp profile, not Landlock): the exported profile does not"
                                + " confine paths, TCP ports or scopes\n" + p + ":4: warning: unknown: "),
                degraded.err());
        assertTrue(degraded.out().contains("\"defaultAction\": \"SCMP_ACT_ERRNO\""), degraded.out());

        String head = WEB.substring(0, WEB.indexOf("filesystem:"));
        Path scopeOnly = policy("scope.yaml", head + "scope: all\n");
        int line = (int) head.chars().filter(c -> c == '\n').count() + 1;
        Run noRule = run("export", scopeOnly.toString(), "--format", "spo", "--degrade", "allow");
        assertEquals(0, noRule.code(), noRule.err());
        assertTrue(
                noRule.err()
                        .startsWith(scopeOnly + ":" + line + ": warning: the Landlock sections (scope) are not"
                                + " exported (container runtimes apply a seccomp profile, not Landlock): the exported profile does not"
                                + " confine paths, TCP ports or scopes\n"),
                noRule.err());
        Run noRuleRefused = run("export", scopeOnly.toString());
        assertEquals(
                scopeOnly + ":" + line + ":8: error: the Landlock sections (scope) cannot be exported: container"
                        + " runtimes apply a seccomp profile, not Landlock; --degrade errno or --degrade allow exports the seccomp"
                        + " part without them\n    scope: all\n           ^\n1 error\n",
                noRuleRefused.err());
    }

    /** Sections without rules that come from an included file are placed there, at file:line:column. */
    @Test
    void exportPlacesSectionsFromAnIncludedFileInThatFile() throws IOException {
        Path p = policy("inc.yaml", "version: 1\nname: inc\ninclude: [default]\ndefault: errno EPERM\nrules: []\n");
        Run refused = run("export", p.toString());
        assertEquals(2, refused.code(), refused.err());
        String shipped = dev.syscage.run.ProfileCatalog.text("default").orElseThrow();
        int line = (int) shipped.substring(0, shipped.indexOf("\nfilesystem:") + 1)
                        .chars()
                        .filter(c -> c == '\n')
                        .count()
                + 1;
        assertEquals(
                "<shipped>/default.yaml:" + line + ":1: error: the Landlock sections (filesystem, scope) cannot be"
                        + " exported: container runtimes apply a seccomp profile, not Landlock; --degrade errno or --degrade allow"
                        + " exports the seccomp part without them\n    filesystem:\n    ^\n1 error\n",
                refused.err());
    }

    @Test
    void exportReportsTheSectionsTogetherWithTheSupervisorsActions() throws IOException {
        Path p = policy("traced.yaml", WEB.replace("  - action: allow\n", "  - action: trace\n"));
        Run r = run("export", p.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("action trace sends calls to syscage's supervisor"), r.err());
        assertTrue(r.err().contains("the Landlock sections (filesystem, network, scope) cannot be exported"), r.err());
        assertTrue(r.err().endsWith("2 errors\n"), r.err());
    }

    /** The dry run without its containment line, which says what this machine gives (docs/containment.md). */
    private static String withoutContainment(String out) {
        assertTrue(out.contains("\ncontainment: "), "the dry run says how the run is contained:\n" + out);
        return out.replaceAll("(?m)^containment: .*\n", "");
    }
}
