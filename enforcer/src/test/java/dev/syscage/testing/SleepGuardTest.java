package dev.syscage.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No test waits by sleeping: a sleep long enough here is too short on a slower machine, and one
 * long enough everywhere slows every run. Tests wait for a condition with a deadline
 * ({@link Await}), a latch, or the program's own output. This reads the test sources of the
 * policy, enforcer and profiles modules and lists every sleep outside {@link #ALLOWED}, and every
 * {@code join} with a timeout under a second (a sleep in disguise: {@code join(20)} then
 * {@code isAlive()} is also true when the thread has not started).
 */
class SleepGuardTest {
    /** The test source trees, from the enforcer module's directory (where Maven runs its tests). */
    static final List<Path> ROOTS =
            List.of(Path.of("src/test/java"), Path.of("../policy/src/test/java"), Path.of("../profiles/src/test/java"));

    /** Files that may sleep, and why: none of them sleeps to wait for something. */
    static final Map<String, String> ALLOWED = Map.of(
            "dev/syscage/testing/Await.java", "the poll between two looks at a condition, under a deadline",
            "dev/syscage/supervise/notify/SlowOpenHook.java",
                    "a hook that is slow on purpose: the slowness is what the test is about",
            "dev/syscage/supervise/notify/SlowOnceOpenHook.java",
                    "a hook that is slow once on purpose: the slowness is what the test is about");

    private static final Pattern SLEEP =
            Pattern.compile("Thread\\.sleep\\(|TimeUnit\\.\\w+\\.sleep\\(|\\.parkNanos\\(|\\.parkUntil\\(");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern SHORT_JOIN = Pattern.compile("\\.join\\((\\d[\\d_]*)\\)");

    @Test
    void noTestSleepsToWait() throws IOException {
        List<String> found = new ArrayList<>();
        int files = 0;
        for (Path root : ROOTS) {
            assertTrue(Files.isDirectory(root), root.toAbsolutePath() + " is not there: the guard would see nothing");
            try (Stream<Path> sources = Files.walk(root)) {
                for (Path f :
                        sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                    files++;
                    String rel = root.relativize(f).toString();
                    if (!ALLOWED.containsKey(rel)) {
                        found.addAll(offences(f));
                    }
                }
            }
        }
        assertTrue(files > 100, "read only " + files + " test sources");
        assertEquals(
                List.of(),
                found,
                "sleeps used to wait: wait for the condition instead (Await.until, a latch, "
                        + "the program's output), or add the file to ALLOWED with the reason its sleep is not a wait");
    }

    /** The guard itself: it sees what it must and nothing else. */
    @Test
    void theGuardFindsSleepsAndShortJoinsOnly() {
        assertEquals(
                List.of(1, 2, 3, 4),
                offendingLines(List.of(
                        "        Thread.sleep(100);",
                        "        TimeUnit.MILLISECONDS.sleep(5);",
                        "        producer.join(20);",
                        "        LockSupport.parkNanos(1_000_000);",
                        "        reader.join(10_000);",
                        "        t.join();",
                        "        String.join(\", \", parts);",
                        "        // Thread.sleep(100) would race here",
                        "        fail(\"no Thread.sleep(100) here\");",
                        "        \"sh\", \"-c\", \"sleep 1; echo done\"")));
    }

    private static List<String> offences(Path f) {
        try {
            List<String> lines = Files.readAllLines(f);
            return offendingLines(lines).stream()
                    .map(n -> f + ":" + n + ": " + lines.get(n - 1).strip())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The 1-based numbers of the lines that sleep or join for less than a second, comments and strings left out. */
    static List<Integer> offendingLines(List<String> lines) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String code = STRING.matcher(lines.get(i).strip()).replaceAll("\"\"");
            if (code.startsWith("//") || code.startsWith("*") || code.startsWith("/*")) {
                continue;
            }
            if (SLEEP.matcher(code).find() || shortJoin(code)) {
                out.add(i + 1);
            }
        }
        return out;
    }

    private static boolean shortJoin(String code) {
        Matcher m = SHORT_JOIN.matcher(code);
        while (m.find()) {
            if (Long.parseLong(m.group(1).replace("_", "")) < 1000) {
                return true;
            }
        }
        return false;
    }
}
