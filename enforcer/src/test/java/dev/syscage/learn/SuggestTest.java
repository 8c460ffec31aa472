package dev.syscage.learn;

import static dev.syscage.run.RunTest.syscage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.syscage.auditlog.AuditLogReader;
import dev.syscage.auditlog.Records;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import dev.syscage.run.RunTest.Result;
import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code suggest}'s parts without a kernel: which records count as denied, the rules proposed
 * (argument conditions, directories), where --merge puts them, and bad input named by line.
 */
class SuggestTest {
    @TempDir
    Path dir;

    /** A complete call record ({@link Records}) with these fields; {@code would} as JSON text or "null". */
    private static String record(
            String syscall, String decision, String would, String path, String exe, String... args) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < args.length; i++) {
            a.addObject()
                    .put("name", "arg" + i)
                    .put("kind", "raw")
                    .put("value", args[i])
                    .put("text", "x");
        }
        ObjectNode r = Records.call()
                .put("syscall", syscall)
                .put("decision", decision)
                .put("rule", "r")
                .put("resolved_path", path)
                .put("exe", exe);
        r.set("would", would.equals("null") ? NullNode.instance : Records.parse(would));
        r.set("args", a);
        if (!decision.equals("errno")) {
            r.putNull("errno").putNull("errno_name");
        }
        return Records.line(r);
    }

    private static DeniedCalls read(String log) throws Exception {
        DeniedCalls d = new DeniedCalls();
        AuditLogReader.forEach("t.jsonl", new BufferedReader(new StringReader(log)), d::add);
        return d;
    }

    private static final String FILTER_EPERM = "{\"decision\":\"errno\",\"errno\":1,\"errno_name\":\"EPERM\","
            + "\"rule\":\"default p.yaml:2\",\"by\":\"filter\"}";
    private static final String FILESYSTEM = "{\"decision\":\"errno\",\"errno\":13,\"errno_name\":\"EACCES\","
            + "\"rule\":\"p.yaml:3\",\"by\":\"filesystem\"}";
    private static final String BY_RULE =
            "{\"decision\":\"kill\",\"errno\":null,\"errno_name\":null,\"rule\":\"p.yaml:7\"," + "\"by\":\"filter\"}";
    private static final String LANDLOCK = Records.line(Records.call()
            .put("seq", 0)
            .put("source", "landlock")
            .put("hook", (String) null)
            .put("result", (Long) null));

    @Test
    void complaintsAndSupervisorDenialsCountTheRestIsLeftOut() throws Exception {
        DeniedCalls d = read(record("prctl", "allow", FILTER_EPERM, null, "/x/syscage-launch", "0x15")
                + record("ioctl", "allow", FILTER_EPERM, null, "/usr/bin/ls", "0x1", "0x5401")
                + record("ioctl", "allow", FILTER_EPERM, null, "/usr/bin/ls", "0x1", "0x5413")
                + record("mkdir", "allow", BY_RULE, "/tmp/m", "/usr/bin/mkdir")
                + record("openat", "errno", "null", "/etc/shadow", "/usr/bin/cat")
                + record("openat", "allow", "null", "/etc/passwd", "/usr/bin/cat")
                + LANDLOCK
                + record("openat", "allow", FILESYSTEM, "/tmp/x", "/usr/bin/cat"));
        assertEquals(Map.of("ioctl", 2L, "mkdir", 1L), d.filter().counts());
        assertEquals(Map.of("openat", 1L), d.supervisor().counts());
        assertEquals(Map.of("launcher", 1L, "landlock", 1L), d.skipped(), "a Landlock record of no file right");
        assertEquals(Map.of("filesystem", 1L), d.fs().calls(), "an open of /tmp/x the filesystem: section would deny");
        List<String> unknown = new ArrayList<>();
        Suggestion.Rules rules = Suggestion.rules(d.filter(), Arch.X86_64, true, unknown);
        assertEquals("""
                  - action: allow
                    syscalls:
                      - mkdir  # 1 call; denied by p.yaml:7
                """, rules.first());
        assertEquals("""
                  - action: allow
                    syscalls: [ioctl]
                    when: "request in {TCGETS, TIOCGWINSZ}"
                    comment: 2 calls, only these values
                """, rules.last());
        assertEquals("""
                    - syscalls: [openat]   # 1 call; denied by r
                      path: ["/etc/shadow"]
                      decision: allow
                """, Suggestion.superviseRules(d.supervisor()));
    }

    @Test
    void threeFilesOfADirectoryBecomeItsStarAndWildcardsAreEscaped() {
        assertEquals(
                List.of("/a/*", "/b/x", "/b/y\\*"),
                Suggestion.patterns(new TreeSet<>(List.of("/a/1", "/a/2", "/a/3", "/b/x", "/b/y*"))));
    }

    @Test
    void mergePutsRuleDenialsFirstDefaultDenialsLastAndKeepsTheRest() throws Exception {
        String policy = """
                version: 1
                default: errno EPERM
                rules:
                # the policy's own
                - action: errno EACCES
                  syscalls: [openat]
                - action: allow
                  syscalls: [read]

                # a comment before the next key
                supervise:
                  default: allow
                """;
        String merged = RuleInsertion.insert(
                policy,
                "  - action: allow\n    syscalls: [mkdir]\n",
                "  - action: allow\n    syscalls: [ioctl]\n",
                "    - syscalls: [openat]\n      decision: allow\n");
        assertEquals("""
                version: 1
                default: errno EPERM
                rules:
                - action: allow
                  syscalls: [mkdir]
                # the policy's own
                - action: errno EACCES
                  syscalls: [openat]
                - action: allow
                  syscalls: [read]
                - action: allow
                  syscalls: [ioctl]

                # a comment before the next key
                supervise:
                  rules:
                    - syscalls: [openat]
                      decision: allow
                  default: allow
                """, merged);
        PolicyLoader.loadString("m.yaml", merged, LoadOptions.defaults());
        assertThrows(
                RuleInsertion.CannotMerge.class,
                () -> RuleInsertion.insert(
                        "version: 1\nrules: [{action: allow, " + "syscalls: [read]}]\n",
                        "  - action: allow\n    syscalls: [mkdir]\n",
                        "",
                        ""));
    }

    @Test
    void aLineThatIsNotARecordIsBadInputNamedByFileAndLine() throws Exception {
        Files.writeString(
                dir.resolve("log.jsonl"),
                record("ioctl", "allow", FILTER_EPERM, null, "/usr/bin/ls", "0x1")
                        + "[pid 12] openat(...) = -1 EACCES\n");
        Result r = syscage(dir, "suggest", "log.jsonl");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("syscage: log.jsonl:2: not JSON: "), r.err());
        Files.writeString(dir.resolve("other.jsonl"), "{\"a\":1}\n");
        Result other = syscage(dir, "suggest", "other.jsonl");
        assertEquals(2, other.code(), other.err());
        assertEquals(
                "syscage: other.jsonl:1: not an audit record as docs/audit-record.schema.json describes it: "
                        + "$.record: missing (what the line is: call or end)\n",
                other.err());
        Result missing = syscage(dir, "suggest", "nope.jsonl");
        assertEquals(2, missing.code(), missing.err());
        assertTrue(missing.err().startsWith("syscage: cannot read nope.jsonl: no such file"), missing.err());
    }
}
