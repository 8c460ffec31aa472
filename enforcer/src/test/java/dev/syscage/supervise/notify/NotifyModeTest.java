package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syscage.run.RunTest;
import dev.syscage.run.RunTest.Result;
import dev.syscage.testing.Await;
import dev.syscage.testing.PtraceAttach;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code syscage run} in notify mode, end to end: the JVM answers real programs' seccomp user
 * notifications with the policy's supervise rules and logs every one; the program stays free for
 * ptrace (strace attaches, which trace mode forbids); killing the JVM leaves no process behind.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NotifyModeTest {
    private static final String LOOP = "while :; do read x < /etc/hostname; sleep 0.05; done";
    private static final String HOSTNAME_OPEN = "openat(AT_FDCWD, \"/etc/hostname\"";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    static Path testprog(String name) {
        return Path.of(System.getProperty("syscage.native.dir", "../native/build"), "testprogs", name)
                .toAbsolutePath();
    }

    private Path policy(String action, String supervise) throws IOException {
        Path p = dir.resolve("routed.yaml");
        Files.writeString(p, """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: %s
                    syscalls: [openat, open, execve]
                supervise:
                """.formatted(action) + supervise);
        return p;
    }

    private static List<JsonNode> records(Path log) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            JsonNode n = json.readTree(line);
            if (!n.path("record").asText().equals("end")) { // the run's closing record is not a call
                out.add(n);
            }
        }
        return out;
    }

    /**
     * The records of a log that is still being written: its last line may be cut where the
     * writer's buffer filled, and is left out until its newline arrives.
     */
    private static List<JsonNode> liveRecords(Path log) throws IOException {
        String text = Files.readString(log, StandardCharsets.UTF_8);
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
            JsonNode n = line.isEmpty() ? null : json.readTree(line);
            if (n != null && !n.path("record").asText().equals("end")) {
                out.add(n);
            }
        }
        return out;
    }

    /**
     * Also with the supervisor thread polling the listener, as on kernels before 6.6 (no sync
     * wake-up, RECV not ended by the last process going away): it must decide the same and end.
     */
    @ParameterizedTest(name = "poll loop: {0}")
    @ValueSource(booleans = {false, true})
    void pathRulesDecideOpensAndEveryEventIsLogged(boolean pollLoop) throws Exception {
        Path p = policy("trace", """
                  rules:
                    - syscalls: [openat, open]
                      path: ["/etc/shadow", "/root/**"]
                      decision: errno EACCES
                  default: allow
                """);
        Path log = dir.resolve("audit.jsonl");
        Result r = RunTest.syscageWithJvmOptions(
                List.of("-Dsyscage.notify.poll=" + pollLoop),
                90,
                dir,
                "run",
                "--mode",
                "notify",
                "--policy",
                p.toString(),
                "--log",
                log.toString(),
                "--",
                testprog("opens").toString(),
                "/etc/hostname",
                "/etc/shadow",
                "/root/.profile");
        assertEquals(0, r.code(), r.err());
        assertEquals("/etc/hostname: ok\n/etc/shadow: errno EACCES\n/root/.profile: errno EACCES\n", r.out());
        List<JsonNode> recs = records(log);
        JsonNode shadow = recs.stream()
                .filter(n -> "/etc/shadow".equals(n.path("path").asText()))
                .findFirst()
                .orElseThrow();
        assertEquals("openat", shadow.path("syscall").asText());
        assertEquals("errno", shadow.path("decision").asText());
        assertEquals(13, shadow.path("errno").asInt());
        assertTrue(shadow.path("rule").asText().endsWith("routed.yaml:9"), shadow.toString());
        assertTrue(
                recs.stream().allMatch(n -> "notify".equals(n.path("source").asText())), "not all via notify: " + recs);
        assertTrue(recs.stream().anyMatch(n -> "execve".equals(n.path("syscall").asText())), "execve not logged");
        // the calls' records and the run's closing record
        assertTrue(r.err().contains("syscage: audit log: " + log + " (" + (recs.size() + 1) + " records)"), r.err());
    }

    @Test
    void aPolicyWithNotifyActionsRunsInNotifyModeByItself() throws Exception {
        Path p = policy("notify", """
                  rules:
                    - syscalls: [openat]
                      path: ["/etc/hostname"]
                      decision: errno ENOENT
                  default: allow
                """);
        Path log = dir.resolve("audit.jsonl");
        Result r = RunTest.syscage(
                dir,
                "run",
                "--policy",
                p.toString(),
                "--log",
                log.toString(),
                "--",
                testprog("opens").toString(),
                "/etc/hostname",
                "/etc/passwd");
        assertEquals(0, r.code(), r.err());
        assertEquals("/etc/hostname: errno ENOENT\n/etc/passwd: ok\n", r.out());
        assertTrue(records(log).stream()
                .anyMatch(n -> "/etc/passwd".equals(n.path("path").asText())
                        && "notify".equals(n.path("source").asText())
                        && "allow".equals(n.path("decision").asText())));
    }

    @Test
    void straceAttachesUnderNotifyModeAndTheListenerIsNotTheProgramsFd() throws Exception {
        PtraceAttach.assumeAllowed("strace");
        Path log = dir.resolve("audit.jsonl");
        Process proc = start("notify", log, LOOP);
        try {
            ProcessHandle shell = waitForShell(proc);
            for (Path fd : Files.list(Path.of("/proc/" + shell.pid() + "/fd")).toList()) {
                String target = Files.readSymbolicLink(fd).toString();
                assertFalse(target.contains("seccomp"), "the program holds the listener: " + fd + " -> " + target);
            }
            String trace = strace(shell.pid(), t -> t.contains(HOSTNAME_OPEN));
            assertTrue(trace.contains("attached"), trace);
            assertTrue(trace.contains(HOSTNAME_OPEN), "strace did not see the routed openat:\n" + trace);
            long before = liveRecords(log).size();
            Await.until(WAIT, () -> recordCount(log) > before, "the supervisor stopped logging after strace attached");
        } finally {
            stop(proc);
        }
    }

    @Test
    void gdbAttachesAndPrintsABacktraceWhileTheSupervisorGoesOn() throws Exception {
        PtraceAttach.assumeAllowed("gdb");
        Path log = dir.resolve("audit.jsonl");
        Process proc = start("notify", log, LOOP);
        try {
            ProcessHandle shell = waitForShell(proc);
            Path out = dir.resolve("gdb");
            Process gdb = new ProcessBuilder(
                            "timeout", "30", "gdb", "-nx", "-p", String.valueOf(shell.pid()), "-batch", "-ex", "bt")
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            assertTrue(gdb.waitFor(40, TimeUnit.SECONDS), "gdb did not end");
            String text = Files.readString(out, StandardCharsets.UTF_8);
            assertTrue(text.matches("(?s).*\\n#0 .*"), "no backtrace:\n" + text);
            long before = liveRecords(log).size();
            Await.until(WAIT, () -> recordCount(log) > before, "the supervisor stopped logging after gdb detached");
        } finally {
            stop(proc);
        }
    }

    @Test
    void straceCannotAttachUnderTraceMode() throws Exception {
        PtraceAttach.assumeAllowed("strace"); // so that the refusal below is the supervisor's, not the machine's
        Process proc = start("trace", dir.resolve("audit.jsonl"), LOOP);
        try {
            ProcessHandle shell = waitForShell(proc);
            String trace = strace(shell.pid(), t -> t.contains("Operation not permitted") || t.contains(HOSTNAME_OPEN));
            assertTrue(trace.contains("Operation not permitted"), trace);
            assertFalse(trace.contains("openat(AT_FDCWD"), trace);
        } finally {
            stop(proc);
        }
    }

    @Test
    void killingTheSupervisorLeavesNoSurvivor() throws Exception {
        Process proc = start(
                "notify", dir.resolve("audit.jsonl"), "sleep 100 & sleep 100 & setsid sh -c 'sleep 100' & " + LOOP);
        List<ProcessHandle> tree = new ArrayList<>();
        try {
            Await.until(
                    WAIT,
                    () -> {
                        tree.clear();
                        tree.addAll(proc.descendants().toList());
                        return tree.stream()
                                        .filter(h -> h.info()
                                                .arguments()
                                                .map(a -> a.length == 1 && a[0].equals("100"))
                                                .orElse(false))
                                        .count()
                                >= 3;
                    },
                    "the program tree never came up");
            new ProcessBuilder("kill", "-KILL", String.valueOf(proc.pid()))
                    .start()
                    .waitFor();
            assertTrue(proc.waitFor(10, TimeUnit.SECONDS));
            Await.within(Duration.ofSeconds(10), () -> tree.stream().noneMatch(ProcessHandle::isAlive));
            assertEquals(
                    0,
                    tree.stream().filter(ProcessHandle::isAlive).count(),
                    "survivors: "
                            + tree.stream()
                                    .filter(ProcessHandle::isAlive)
                                    .map(h -> h.pid() + " "
                                            + h.info().commandLine().orElse(""))
                                    .toList());
        } finally {
            stop(proc);
        }
    }

    /** syscage run in the background, in the given mode, running {@code sh -c script}. */
    private Process start(String mode, Path log, String script) throws IOException {
        Path p = policy("trace", """
                  default: allow
                """);
        List<String> cmd = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dsyscage.native.dir=" + System.getProperty("syscage.native.dir", "../native/build"),
                "dev.syscage.cli.Main",
                "run",
                "--mode",
                mode,
                "--policy",
                p.toString(),
                "--log",
                log.toString(),
                "--",
                "sh",
                "-c",
                script);
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out-" + mode).toFile())
                .start();
    }

    private static void stop(Process proc) {
        proc.descendants().forEach(ProcessHandle::destroyForcibly);
        proc.destroyForcibly();
    }

    /**
     * What {@code strace -p PID -e trace=openat} prints until it has printed {@code enough} or
     * has ended by itself (within 30 s), then SIGINT detaches it. Not {@code -f}: the shell opens
     * /etc/hostname itself, and strace -f can hang on detach when the SIGINT comes during the
     * loop's vfork (the shell waits in the kernel for a child that strace holds stopped, and
     * strace waits for the shell).
     */
    private String strace(long pid, Predicate<String> enough) throws IOException, InterruptedException {
        Path out = dir.resolve("strace-" + pid);
        Process s = new ProcessBuilder("strace", "-p", String.valueOf(pid), "-e", "trace=openat")
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        try {
            Await.within(WAIT, () -> !s.isAlive() || enough.test(read(out)));
            new ProcessBuilder("kill", "-INT", String.valueOf(s.pid())).start().waitFor();
            assertTrue(
                    s.waitFor(20, TimeUnit.SECONDS),
                    () -> "strace did not end 20 s after SIGINT; " + procState(s.pid()) + "; its output:\n"
                            + read(out));
            return read(out);
        } finally {
            s.destroyForcibly();
        }
    }

    /** The state and kernel wait channel of {@code pid} and of its tracees, for a failure message. */
    private static String procState(long pid) {
        StringBuilder b = new StringBuilder();
        for (long p : ProcessHandle.allProcesses()
                .filter(h -> h.pid() == pid || tracer(h.pid()) == pid)
                .map(ProcessHandle::pid)
                .toList()) {
            b.append("pid ")
                    .append(p)
                    .append(p == pid ? " (strace)" : "")
                    .append(": ")
                    .append(statusLine(p, "State:"))
                    .append(", wchan ")
                    .append(readOrNothing(Path.of("/proc/" + p + "/wchan")))
                    .append("; ");
        }
        return b.toString();
    }

    private static long tracer(long pid) {
        String t = statusLine(pid, "TracerPid:");
        return t.isEmpty() ? -1 : Long.parseLong(t);
    }

    private static String statusLine(long pid, String key) {
        return readOrNothing(Path.of("/proc/" + pid + "/status"))
                .lines()
                .filter(l -> l.startsWith(key))
                .map(l -> l.substring(key.length()).strip())
                .findFirst()
                .orElse("");
    }

    private static String readOrNothing(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** How many complete records the live log has now. */
    private static long recordCount(Path log) {
        try {
            return liveRecords(log).size();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The program: the descendant of {@code p} that runs {@code sh -c SCRIPT} (not the launcher). */
    private static ProcessHandle waitForShell(Process p) throws InterruptedException {
        List<ProcessHandle> found = new ArrayList<>();
        Await.until(
                WAIT,
                () -> descendants(p)
                        .filter(d -> d.info()
                                .arguments()
                                .map(a -> a.length == 2 && a[0].equals("-c"))
                                .orElse(false))
                        .findFirst()
                        .map(found::add)
                        .orElse(false),
                "the program never started");
        return found.get(0);
    }

    private static Stream<ProcessHandle> descendants(Process p) {
        return p.descendants();
    }
}
