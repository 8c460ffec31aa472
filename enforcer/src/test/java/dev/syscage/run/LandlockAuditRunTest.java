package dev.syscage.run;

import static dev.syscage.run.RunTest.syscage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syscage.nativeaccess.AuditNetlink;
import dev.syscage.run.RunTest.Result;
import dev.syscage.testing.PtraceAttach;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Landlock's denials reach the audit log of a supervised run when the kernel audit is on, and
 * only then. The test turns the kernel audit on for its duration (AUDIT_SET enabled=1; the
 * kernel also prints the records to its log meanwhile) and puts the previous state back after
 * each test. The program is a shell that says its own pid as the host numbers it (its
 * {@code /proc/self/stat}: supervised runs keep syscage's /proc) and then writes where its
 * domain does not let it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LandlockAuditRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final AuditNetlink audit = AuditNetlink.instance();
    private int before = -1;

    @BeforeEach
    void canSetTheKernelAudit() {
        assumeTrue(
                "root".equals(System.getProperty("user.name")),
                "turning the kernel audit on and off needs root (CAP_AUDIT_CONTROL)");
        try {
            before = audit.enabled();
        } catch (IOException e) {
            assumeTrue(false, "the kernel audit does not answer AUDIT_GET: " + e.getMessage());
        }
        assumeTrue(before != 2, "the kernel audit is locked (enabled=2): it cannot be turned off after the test");
    }

    @AfterEach
    void restore() throws IOException {
        if (before == 0 || before == 1) {
            audit.setEnabled(before);
            assertEquals(before, audit.enabled(), "the kernel audit is back as it was");
        }
    }

    private void auditOn(int enabled) {
        try {
            audit.setEnabled(enabled);
        } catch (IOException e) {
            assumeTrue(false, "the kernel refused AUDIT_SET: " + e.getMessage());
        }
    }

    private Path policy() throws IOException {
        return policy("""

                  - action: trace
                    syscalls: [uname]""");
    }

    /** A policy that allows every call and confines files with Landlock; {@code rules} decide what goes to the supervisor. */
    private Path policy(String rules) throws IOException {
        Path ok = Files.createDirectories(dir.resolve("ok"));
        Files.writeString(Files.createDirectories(dir.resolve("no")).resolve("g"), "old\n");
        Path p = dir.resolve("p.yaml");
        Files.writeString(p, """
                version: 1
                name: landlock-audit
                arch: x86_64
                default: allow
                rules:%s
                filesystem:
                  allow:
                    - paths: [/]
                      access: [read, execute]
                    - paths: [/dev/null]
                      access: [write]
                    - paths: [%s]
                      access: [read, write, create]
                """.formatted(rules.isEmpty() ? " []" : rules, ok));
        return p;
    }

    private Result run(String mode, Path log) throws Exception {
        return run(policy(), List.of("--mode", mode), log);
    }

    private Result run(Path policy, List<String> options, Path log) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "--policy", policy.toString()));
        args.addAll(options);
        args.addAll(List.of("--log", log.toString(), "--", "sh", "-c", DENIED_WRITES.formatted(dir, dir, dir)));
        return syscage(dir, args.toArray(String[]::new));
    }

    /** Says its pid (as its /proc numbers it), writes where it may, then twice where it may not. */
    private static final String DENIED_WRITES = "read pid rest < /proc/self/stat; echo $pid; echo x > %s/ok/f;"
            + " echo x > %s/no/g; echo x > %s/no/f || exit 3";

    private static List<JsonNode> records(Path log, String source) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            JsonNode n = JSON.readTree(line);
            if (n.path("source").asText().equals(source)) {
                out.add(n);
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"notify", "trace"})
    void theDeniedWriteIsInTheAuditLog(String mode) throws Exception {
        PtraceAttach.assumeModeWorks(mode);
        auditOn(1);
        Path log = dir.resolve("audit.jsonl");
        Result r = run(mode, log);
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("no/g: Permission denied") && r.err().contains("no/f: Permission denied"), r.err());
        assertTrue(Files.exists(dir.resolve("ok/f")), "the allowed write was made");
        int pid = Integer.parseInt(r.out().strip());
        List<JsonNode> landlock = records(log, "landlock");
        assertEquals(2, landlock.size(), landlock.toString());
        // writing a file that is there: the file; making one: the directory it would be made in
        check(landlock.get(0), pid, "fs.write_file", dir.resolve("no/g"));
        check(landlock.get(1), pid, "fs.make_reg", dir.resolve("no"));
        assertEquals(
                landlock.get(0).get("rule").asText().split(" ")[1],
                landlock.get(1).get("rule").asText().split(" ")[1],
                "one domain");
        assertEquals("old\n", Files.readString(dir.resolve("no/g")));
    }

    private static void check(JsonNode d, int pid, String blocker, Path path) {
        assertEquals(pid, d.get("pid").asInt(), d.toString());
        assertEquals(path.toString(), d.get("path").asText(), d.toString());
        assertEquals("openat", d.get("syscall").asText(), d.toString());
        assertEquals("errno", d.get("decision").asText(), d.toString());
        assertEquals("EACCES", d.get("errno_name").asText(), d.toString());
        assertEquals("sh", d.get("comm").asText(), d.toString());
        assertEquals(0, d.get("seq").asInt(), d.toString());
        assertTrue(
                d.get("rule")
                        .asText()
                        .matches("landlock domain=[0-9a-f]+ blockers=" + blocker.replace(".", "\\.") + " path=" + path
                                + " dev=\\S+ ino=\\d+"),
                d.get("rule").asText());
    }

    /**
     * A run without a supervisor: its log holds the Landlock denials. Without containment the
     * program's /proc is syscage's and says its pid; contained, it has its own PID namespace and
     * /proc, and the record has the pid as syscage numbers it, not the namespace's.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aPlainRunsLogHoldsItsDenials(boolean contained) throws Exception {
        auditOn(1);
        Path log = dir.resolve("audit.jsonl");
        Result r = run(policy(""), contained ? List.of() : List.of("--no-contain"), log);
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().endsWith("syscage: audit log: " + log + " (2 records)\n"), r.err());
        int pid = Integer.parseInt(r.out().strip());
        List<JsonNode> landlock = records(log, "landlock");
        assertEquals(2, landlock.size(), landlock.toString());
        int logged = contained ? landlock.get(0).get("pid").asInt() : pid;
        if (contained) {
            assertTrue(logged > pid, "the host's pid " + logged + ", not the namespace's " + pid);
        }
        check(landlock.get(0), logged, "fs.write_file", dir.resolve("no/g"));
        check(landlock.get(1), logged, "fs.make_reg", dir.resolve("no"));
    }

    @Test
    void withTheKernelAuditOffRunsWorkAndLogNoLandlockRecord() throws Exception {
        auditOn(0);
        Path log = dir.resolve("audit.jsonl");
        Result r = run("notify", log);
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("no/f: Permission denied"), r.err());
        assertTrue(!r.err().contains("landlock"), r.err());
        assertEquals(List.of(), records(log, "landlock"));
        assertTrue(Files.exists(dir.resolve("ok/f")));
        // without a supervisor the log has nothing else to hold: it is there, and empty
        Path plainLog = dir.resolve("plain.jsonl");
        Result plain = run(policy(""), List.of(), plainLog);
        assertEquals(3, plain.code(), plain.err());
        assertTrue(
                plain.err().endsWith("no/f: Permission denied\nsyscage: audit log: " + plainLog + " (0 records)\n"),
                plain.err());
        assertEquals("", Files.readString(plainLog));
    }
}
