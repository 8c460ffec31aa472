package dev.syscage.supervise.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.syscage.run.PtraceSupport;
import dev.syscage.run.RunTest;
import dev.syscage.run.RunTest.Result;
import dev.syscage.testing.PtraceAttach;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's counting check, for real: 100,000 opens of a regular file under a signal storm
 * (SIGUSR1 every 20 µs, a handler without SA_RESTART), and what the program itself saw
 * (opens that returned a descriptor, opens that returned EINTR) against the audit log, --summary
 * and the metrics. Each open the program saw succeed is one allow record with a descriptor for a
 * result; each interrupted notification is one interrupted record, never an allow; the summary
 * and the metrics count the same. Trace mode never interrupts an open; notify mode can, before
 * syscage has received the call (the kernel's rule even with WAIT_KILLABLE_RECV: docs/notify.md).
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class SignalStormCountsTest {
    private static final int OPENS = 100_000;
    private static final Pattern SAW =
            Pattern.compile("opens=(\\d+) ok=(\\d+) eintr=(\\d+) other=(\\d+) signals=(\\d+)");

    @TempDir
    Path dir;

    private Path target;

    @BeforeEach
    void file() throws IOException {
        target = Files.writeString(dir.resolve("target"), "x\n");
    }

    private String supervise = """
                supervise:
                  rules:
                    - syscalls: [openat, open]
                      path: ["%s/**", "/usr/**", "/lib/**", "/lib64/**", "/etc/**"]
                      decision: allow
                  default: errno EACCES
                """;

    private Path policy() throws IOException {
        return Files.writeString(dir.resolve("p.yaml"), """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: trace
                    syscalls: [openat, open]
                """ + supervise.formatted(dir));
    }

    /** What the program saw: ok, eintr. */
    private record Saw(long ok, long eintr) {}

    private record Run(Saw saw, Result result) {}

    private Run run(List<String> options) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "--policy", policy().toString(), "--summary"));
        args.addAll(options);
        args.addAll(List.of(
                "--",
                Path.of(System.getProperty("syscage.native.dir", "../native/build"), "testprogs", "openstorm")
                        .toAbsolutePath()
                        .toString(),
                String.valueOf(OPENS),
                target.toString(),
                "norestart"));
        Result r = RunTest.syscage(560, dir, args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        Matcher m = SAW.matcher(r.out());
        assertTrue(m.find(), r.out());
        assertEquals(OPENS, Long.parseLong(m.group(2)) + Long.parseLong(m.group(3)), r.out());
        assertEquals("0", m.group(4), r.out());
        System.out.println("openstorm " + options + ": " + r.out().strip());
        return new Run(new Saw(Long.parseLong(m.group(2)), Long.parseLong(m.group(3))), r);
    }

    /** Counts of (decision, whether the result is a descriptor) over the records for the target, and of all openat records by decision. */
    private Map<String, Long> counts(Path log) throws IOException {
        Map<String, Long> c = new HashMap<>();
        JsonFactory f = new JsonFactory();
        try (BufferedReader in = Files.newBufferedReader(log)) {
            String line;
            while ((line = in.readLine()) != null) {
                String syscall = null;
                String resolved = null;
                String decision = null;
                Long result = null;
                try (JsonParser p = f.createParser(line)) {
                    p.nextToken();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        JsonToken t = p.nextToken();
                        switch (name) {
                            case "syscall" -> syscall = p.getText();
                            case "resolved_path" -> resolved = t == JsonToken.VALUE_NULL ? null : p.getText();
                            case "decision" -> decision = p.getText();
                            case "result" -> result = t == JsonToken.VALUE_NULL ? null : p.getLongValue();
                            default -> p.skipChildren();
                        }
                    }
                }
                if ("openat".equals(syscall)) {
                    c.merge("openat " + decision, 1L, Long::sum);
                }
                if (target.toString().equals(resolved)) {
                    c.merge(decision + (result != null && result >= 0 ? " fd" : ""), 1L, Long::sum);
                }
            }
        }
        return c;
    }

    /** The --summary row for openat: calls, errors, kills, intr. */
    private static long[] summaryRow(String err) {
        Matcher m = Pattern.compile("(?m)^\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+\\S+\\s+\\S+ openat$")
                .matcher(err);
        assertTrue(m.find(), err);
        return new long[] {
            Long.parseLong(m.group(1)),
            Long.parseLong(m.group(2)),
            Long.parseLong(m.group(3)),
            Long.parseLong(m.group(4))
        };
    }

    private static double metric(Path prom, String decision) throws IOException {
        Matcher m = Pattern.compile(
                        "(?m)^syscage_syscalls_total\\{decision=\"" + decision + "\",syscall=\"openat\"\\} (\\S+)$")
                .matcher(Files.readString(prom));
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private void checkNotify(List<String> mode) throws Exception {
        Path log = dir.resolve("audit.jsonl");
        Path prom = dir.resolve("metrics.prom");
        List<String> options = new ArrayList<>(mode);
        options.addAll(List.of("--log", log.toString(), "--metrics", prom.toString()));
        Run run = run(options);
        Map<String, Long> c = counts(log);
        assertEquals(run.saw().ok(), c.getOrDefault("allow fd", 0L), c.toString());
        assertEquals(0L, c.getOrDefault("allow", 0L), "an allowed open without a descriptor: " + c);
        long interrupted = c.getOrDefault("interrupted", 0L);
        assertTrue(interrupted <= run.saw().eintr(), c + " " + run.saw());
        long[] row = summaryRow(run.result().err());
        long openats = c.getOrDefault("openat allow", 0L)
                + c.getOrDefault("openat errno", 0L)
                + c.getOrDefault("openat interrupted", 0L);
        assertEquals(openats, row[0], run.result().err());
        assertEquals(c.getOrDefault("openat errno", 0L), row[1], run.result().err());
        assertEquals(
                c.getOrDefault("openat interrupted", 0L), row[3], run.result().err());
        assertEquals(c.getOrDefault("openat allow", 0L), (long) metric(prom, "allow"));
        assertEquals(c.getOrDefault("openat interrupted", 0L), (long) metric(prom, "interrupted"));
        assertEquals(c.getOrDefault("openat errno", 0L), (long) metric(prom, "errno"));
    }

    @Test
    void notifyModeCountsWhatTheProgramSaw() throws Exception {
        checkNotify(List.of("--mode", "notify"));
    }

    @Test
    void interruptibleWaitsAreRecordedAsInterruptedNeverAsAllowed() throws Exception {
        checkNotify(List.of("--mode", "notify", "--notify-wait", "interruptible"));
    }

    @Test
    void traceModeNeverInterruptsAnOpenAndItsTextLogSaysSo() throws Exception {
        Path log = dir.resolve("audit.txt");
        PtraceAttach.assumeTraceModeWorks();
        Run run = run(List.of("--mode", "trace", "--log", log.toString(), "--log-format", "text"));
        assertEquals(OPENS, run.saw().ok());
        long lines;
        long allowed;
        String open = "openat(AT_FDCWD, \"" + target + "\", O_RDONLY) = ALLOW ";
        try (BufferedReader in = Files.newBufferedReader(log)) {
            lines = 0;
            allowed = 0;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.contains("\"" + target + "\"")) {
                    lines++;
                    allowed += line.contains(open) ? 1 : 0;
                }
            }
        }
        assertEquals(OPENS, lines);
        assertEquals(OPENS, allowed);
        long[] row = summaryRow(run.result().err());
        assertEquals(0, row[1] + row[2] + row[3], run.result().err());
        assertTrue(row[0] >= OPENS, run.result().err());
    }

    /**
     * The default mode for a supervisor that only watches is trace mode, where syscage can trace:
     * under the same storm, no open fails (in notify mode thousands would, with EINTR).
     */
    @Test
    void anAuditOnlyRunByDefaultNeverInterruptsAnOpen() throws Exception {
        PtraceSupport ptrace = PtraceSupport.ofThisProcess();
        assumeTrue(
                ptrace.usable(),
                "syscage cannot trace here, so an audit run falls back to notify mode: " + ptrace.reason());
        PtraceAttach.assumeTraceModeWorks();
        supervise = "supervise: {log: all, default: allow}\n";
        Run run = run(List.of("--log", dir.resolve("audit.jsonl").toString()));
        assertEquals(OPENS, run.saw().ok(), run.result().err());
        Map<String, Long> c = counts(dir.resolve("audit.jsonl"));
        long allowed = c.getOrDefault("allow", 0L) + c.getOrDefault("allow fd", 0L);
        assertEquals(OPENS, allowed, "one allow record per open of the target: " + c);
        assertEquals(0L, c.getOrDefault("interrupted", 0L), c.toString());
    }
}
