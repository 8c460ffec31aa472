package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syscage.run.RunTest;
import dev.syscage.run.RunTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notify mode names each record's process from the calling thread's id, remembering the
 * mapping between events: two multi-threaded processes in a row each get their own pid, with
 * their own threads under it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NotifyThreadIdsTest {
    private static final int THREADS = 8;
    private static final int OPENS = 40;

    @TempDir
    Path dir;

    @Test
    void eachThreadsRecordsNameItsOwnProcess() throws Exception {
        Path policy = Files.writeString(dir.resolve("t.yaml"), """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: notify
                    syscalls: [openat]
                supervise:
                  log: all
                  default: allow
                """);
        Path log = dir.resolve("audit.jsonl");
        String threads = NotifyModeTest.testprog("threads") + " /etc/hostname " + OPENS + " " + THREADS;
        Result r = RunTest.syscage(
                dir,
                "run",
                "--mode",
                "notify",
                "--policy",
                policy.toString(),
                "--log",
                log.toString(),
                "--",
                "sh",
                "-c",
                threads + " && " + threads);
        assertEquals(0, r.code(), r.err());

        Map<Integer, Set<Integer>> tidsByPid = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(log)) {
            JsonNode n = json.readTree(line);
            if ("threads".equals(n.path("comm").asText())
                    && "/etc/hostname".equals(n.path("resolved_path").asText())) {
                tidsByPid
                        .computeIfAbsent(n.path("pid").asInt(), p -> new HashSet<>())
                        .add(n.path("tid").asInt());
            }
        }
        assertEquals(2, tidsByPid.size(), "two processes: " + tidsByPid);
        Set<Integer> seen = new HashSet<>();
        tidsByPid.forEach((pid, tids) -> {
            assertEquals(THREADS, tids.size(), "pid " + pid + " has its " + THREADS + " threads: " + tids);
            assertTrue(!tids.contains(pid), "the workers are not the main thread: " + tids);
            tids.forEach(t -> assertTrue(seen.add(t), "thread " + t + " under two processes: " + tidsByPid));
        });
    }
}
