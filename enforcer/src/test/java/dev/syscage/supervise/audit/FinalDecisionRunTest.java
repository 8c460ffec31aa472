package dev.syscage.supervise.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syscage.run.RunTest;
import dev.syscage.run.RunTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's first reproduction, for real: in notify mode an open of a symlink under an allowed
 * tree that leads to a denied file (as /usr/share/locale/locale.alias leads into /etc) is refused
 * by the second look at its real path. Its audit record is one, with the final decision, and the
 * JSON log, the text log, --summary and the metrics all count it as denied (before: two records
 * with one seq, allow then errno; the summary and the metrics counted the allow).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FinalDecisionRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path secret;

    @BeforeEach
    void files() throws IOException {
        Path allowed = Files.createDirectories(dir.resolve("allowed"));
        Files.writeString(allowed.resolve("plain"), "plain\n");
        secret =
                Files.writeString(Files.createDirectories(dir.resolve("denied")).resolve("secret"), "secret\n");
        Files.createSymbolicLink(allowed.resolve("alias"), secret);
    }

    private Path policy() throws IOException {
        return Files.writeString(dir.resolve("p.yaml"), """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: trace
                    syscalls: [openat, open]
                supervise:
                  rules:
                    - syscalls: [openat, open]
                      path: ["%s/allowed/**", "/usr/**", "/lib/**", "/lib64/**", "/etc/ld.so.cache"]
                      decision: allow
                    - syscalls: [openat, open]
                      decision: errno EACCES
                """.formatted(dir));
    }

    private Result run(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "--mode", "notify", "--policy", policy().toString()));
        args.addAll(List.of(extra));
        args.addAll(List.of(
                "--",
                Path.of(System.getProperty("syscage.native.dir", "../native/build"), "testprogs", "opens")
                        .toAbsolutePath()
                        .toString(),
                "allowed/plain",
                "allowed/alias",
                "allowed/missing"));
        Result r = RunTest.syscage(dir, args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertEquals(
                "allowed/plain: ok\nallowed/alias: errno EACCES\nallowed/missing: errno ENOENT\n", r.out(), r.err());
        return r;
    }

    @Test
    void theSecondLookDecidesAndEveryCountSaysSo() throws Exception {
        Path log = dir.resolve("audit.jsonl");
        Path metrics = dir.resolve("metrics.prom");
        Result r = run("--log", log.toString(), "--summary", "--metrics", metrics.toString());
        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            JsonNode n = JSON.readTree(line);
            if (!n.path("record").asText().equals("end")) { // the run's closing record is not a call
                records.add(n);
            }
        }
        Set<Long> seqs = new HashSet<>();
        records.forEach(n -> assertTrue(seqs.add(n.get("seq").asLong()), "seq twice: " + n));
        // log: all, and the launcher's execve and the like are only watched, not routed: no gap
        assertEquals(records.size(), java.util.Collections.max(seqs), "seqs " + new java.util.TreeSet<>(seqs));
        List<JsonNode> alias = records.stream()
                .filter(n -> n.get("path").asText().equals("allowed/alias"))
                .toList();
        assertEquals(1, alias.size(), alias.toString());
        JsonNode a = alias.get(0);
        assertEquals("errno", a.get("decision").asText());
        assertEquals("EACCES", a.get("errno_name").asText());
        assertEquals(dir.resolve("p.yaml") + ":12", a.get("rule").asText());
        assertEquals(
                dir.resolve("allowed/alias").toString(), a.get("resolved_path").asText());
        assertEquals(secret.toString(), a.get("real_path").asText());
        assertEquals(-13, a.get("result").asInt());
        JsonNode missing = records.stream()
                .filter(n -> n.get("path").asText().equals("allowed/missing"))
                .findFirst()
                .orElseThrow();
        assertEquals("allow", missing.get("decision").asText());
        assertEquals(-2, missing.get("result").asInt(), "the open syscage made for it failed with ENOENT");
        JsonNode plain = records.stream()
                .filter(n -> n.get("path").asText().equals("allowed/plain"))
                .findFirst()
                .orElseThrow();
        assertTrue(plain.get("result").asInt() >= 3, "a descriptor in the program: " + plain);

        long errno = records.stream()
                .filter(n -> n.get("syscall").asText().equals("openat")
                        && n.get("decision").asText().equals("errno"))
                .count();
        long all = records.stream()
                .filter(n -> n.get("syscall").asText().equals("openat"))
                .count();
        assertTrue(errno >= 1, records.toString());
        Matcher row = Pattern.compile("(?m)^\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+\\S+\\s+\\S+ openat$")
                .matcher(r.err());
        assertTrue(row.find(), r.err());
        assertEquals(all, Long.parseLong(row.group(1)), r.err());
        assertEquals(errno, Long.parseLong(row.group(2)), r.err());
        String prom = Files.readString(metrics);
        assertTrue(
                prom.contains("syscage_syscalls_total{decision=\"errno\",syscall=\"openat\"} " + errno + ".0"), prom);
        assertTrue(
                prom.contains("syscage_syscalls_total{decision=\"allow\",syscall=\"openat\"} " + (all - errno) + ".0"),
                prom);
    }

    @Test
    void theTextLogHasOneLineForTheCallWithItsFinalAnswer() throws Exception {
        Path log = dir.resolve("audit.txt");
        run("--log", log.toString(), "--log-format", "text");
        List<String> alias = Files.readAllLines(log).stream()
                .filter(l -> l.contains("\"allowed/alias\""))
                .toList();
        assertEquals(1, alias.size(), alias.toString());
        assertTrue(alias.get(0).contains(") = -1 EACCES (rule " + dir.resolve("p.yaml") + ":12"), alias.get(0));
    }

    /** A kill is recorded as a kill, whether or not its answer still reached the dying caller. */
    @Test
    void aKilledCallIsRecordedAsKilled() throws Exception {
        Path p = Files.writeString(dir.resolve("kill.yaml"), """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: trace
                    syscalls: [openat, open]
                supervise:
                  rules:
                    - syscalls: [openat, open]
                      path: ["%s/allowed/plain"]
                      decision: kill
                  default: allow
                """.formatted(dir));
        Path log = dir.resolve("kill.jsonl");
        Result r = RunTest.syscage(
                dir,
                "run",
                "--mode",
                "notify",
                "--policy",
                p.toString(),
                "--log",
                log.toString(),
                "--",
                Path.of(System.getProperty("syscage.native.dir", "../native/build"), "testprogs", "opens")
                        .toAbsolutePath()
                        .toString(),
                "allowed/plain");
        assertEquals(137, r.code(), r.err());
        List<JsonNode> kills = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            JsonNode n = JSON.readTree(line);
            if ("allowed/plain".equals(n.path("path").asText())) {
                kills.add(n);
            }
        }
        assertEquals(1, kills.size(), kills.toString());
        assertEquals("kill", kills.get(0).get("decision").asText());
        assertTrue(kills.get(0).get("result").isNull(), kills.toString());
    }
}
