package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.run.RunTest;
import dev.syscage.run.RunTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Calls whose answer the policy fixes by number, and that nothing but the counters needs to see,
 * are answered by the native receive loop (libsyscage-notify.so) without entering the JVM. The
 * program must not be able to tell: the same answers, the same counts in the metrics and the
 * summary, with the native loop and without it ({@code -Dsyscage.notify.fastpath=false}). What
 * tells the two apart is the decision-latency timer, which only Java's decisions feed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NotifyFastPathTest {
    @TempDir
    Path dir;

    private Path policy() throws IOException {
        Path p = dir.resolve("fixed.yaml");
        Files.writeString(p, """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: notify
                    syscalls: [openat, mkdir, mkdirat]
                supervise:
                  log: none
                  rules:
                    - syscalls: [mkdir, mkdirat]
                      decision: errno EROFS
                  default: allow
                """);
        return p;
    }

    @ParameterizedTest(name = "native loop: {0}")
    @ValueSource(booleans = {true, false})
    void fixedAnswersAreTheSameWithAndWithoutTheNativeLoop(boolean fastPath) throws Exception {
        Path metrics = dir.resolve("metrics.prom");
        Path made = dir.resolve("made");
        Result r = RunTest.syscageWithJvmOptions(
                List.of("-Dsyscage.notify.fastpath=" + fastPath),
                90,
                dir,
                "run",
                "--mode",
                "notify",
                "--policy",
                policy().toString(),
                "--summary",
                "--metrics",
                metrics.toString(),
                "--",
                "/bin/sh",
                "-c",
                "cat /etc/hostname /etc/hostname /etc/hostname >/dev/null && mkdir " + made + "; echo mkdir=$?");
        assertEquals(0, r.code(), r.err());
        assertEquals("mkdir=1\n", r.out(), r.err());
        assertTrue(r.err().contains("Read-only file system"), r.err());
        assertFalse(Files.exists(made), "the supervisor's EROFS did not stop mkdir");

        String m = Files.readString(metrics);
        double openats = metric(m, "syscage_syscalls_total", "decision=\"allow\",syscall=\"openat\"");
        double mkdirs = metric(m, "syscage_syscalls_total", "decision=\"errno\",syscall=\"mkdir\"")
                + metric(m, "syscage_syscalls_total", "decision=\"errno\",syscall=\"mkdirat\"");
        assertTrue(openats >= 3, "cat's three opens (and the loaders') are counted: " + m);
        assertEquals(1, mkdirs, m);
        assertEquals(metric(m, "syscage_events_total", ""), openats + mkdirs, "every event is counted once: " + m);
        assertTrue(
                r.err().contains(String.format("%9d", (long) openats))
                        && r.err().contains(" openat"),
                "the summary counts the natively answered calls: " + r.err());

        double javaDecisions = metric(m, "syscage_decision_latency_seconds_count", "decision=\"allow\"")
                + metric(m, "syscage_decision_latency_seconds_count", "decision=\"errno\"");
        if (fastPath) {
            assertEquals(0, javaDecisions, "the native loop answered them: Java timed no decision: " + m);
        } else {
            assertEquals(openats + mkdirs, javaDecisions, m);
        }
    }

    /** The value of {@code name{labels}} in Prometheus text; 0 when absent. */
    private static double metric(String text, String name, String labels) {
        String series = labels.isEmpty() ? name : name + "{" + labels + "}";
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
