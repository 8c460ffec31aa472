package dev.syscage.supervise.trace;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code syscage run} in trace mode, end to end: the JVM supervisor answers real programs'
 * trace stops, decides with the policy's supervise rules, and logs every event.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TraceModeTest {
    @BeforeAll
    static void ptraceWorksHere() {
        PtraceAttach.assumeTraceModeWorks();
    }

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    static Path testprog(String name) {
        return Path.of(System.getProperty("syscage.native.dir", "../native/build"), "testprogs", name)
                .toAbsolutePath();
    }

    private Path policy(String supervise) throws IOException {
        Path p = dir.resolve("traced.yaml");
        Files.writeString(p, """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: trace
                    syscalls: [openat, open, execve]
                supervise:
                """ + supervise);
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

    @Test
    void pathRulesDecideOpensAndEveryEventIsLogged() throws Exception {
        Path p = policy("""
                  rules:
                    - syscalls: [openat, open]
                      path: ["/etc/shadow", "/root/**"]
                      decision: errno EACCES
                  default: allow
                """);
        Path log = dir.resolve("audit.jsonl");
        Result r = RunTest.syscage(
                dir,
                "run",
                "--mode",
                "trace",
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
        assertTrue(shadow.path("rule").asText().endsWith("traced.yaml:9"), shadow.toString());
        assertTrue(recs.stream().anyMatch(n -> "execve".equals(n.path("syscall").asText())), "execve not logged");
        // the calls' records and the run's closing record
        assertTrue(r.err().contains("syscage: audit log: " + log + " (" + (recs.size() + 1) + " records)"), r.err());
    }

    @Test
    void aShellThatForksAndExecsIsFollowedIntoItsChildren() throws Exception {
        Path p = policy("""
                  rules:
                    - syscalls: [execve]
                      path: ["/usr/bin/*", "/bin/*"]
                      decision: allow
                    - syscalls: [execve]
                      decision: errno EACCES
                  default: allow
                """);
        Path log = dir.resolve("audit.jsonl");
        Path local = dir.resolve("tool");
        Files.copy(Path.of("/bin/true"), local);
        local.toFile().setExecutable(true);
        Result r = RunTest.syscage(
                dir,
                "run",
                "--mode",
                "trace",
                "--policy",
                p.toString(),
                "--log",
                log.toString(),
                "--log-format",
                "jsonl",
                "--",
                "sh",
                "-c",
                "cat /etc/hostname >/dev/null && echo cat-ran; " + local + " || echo tool-denied");
        assertEquals(0, r.code(), r.err());
        assertEquals("cat-ran\ntool-denied\n", r.out());
        List<JsonNode> recs = records(log);
        Set<Integer> pids = new HashSet<>();
        recs.forEach(n -> pids.add(n.path("pid").asInt()));
        assertTrue(pids.size() >= 3, "events from the shell and its children expected: " + pids);
        assertTrue(
                recs.stream()
                        .anyMatch(n -> n.path("decision").asText().equals("errno")
                                && n.path("resolved_path").asText().equals(local.toString())),
                recs.toString());
    }

    @Test
    @Timeout(value = 900, unit = TimeUnit.SECONDS) // ~20-50 s here; ptrace round trips vary a lot on this VM
    void aMillionEventsFromEightThreadsAndAForkStormLoseNoRecord() throws Exception {
        Path p = policy("""
                  rules:
                    - syscalls: [openat]
                      path: ["/etc/hostname"]
                      decision: errno EACCES
                  default: allow
                """);
        Path log = dir.resolve("audit.jsonl");
        int perThread = 120_000; // 8 threads: 960,000 events
        int children = 40;
        int perChild = 1_000; // fork storm: 40,000 events
        Result r = RunTest.syscage(
                800,
                dir,
                "run",
                "--mode",
                "trace",
                "--policy",
                p.toString(),
                "--log",
                log.toString(),
                "--",
                "sh",
                "-c",
                testprog("threads") + " /etc/hostname " + perThread + " 8 && " + testprog("forkstorm") + " " + children
                        + " " + perChild);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("total: ok=0 EACCES=" + (8 * perThread) + "\n"), r.out());
        assertTrue(
                r.out()
                        .contains("children=" + children + " exited_ok=" + children + " ok=0 failed="
                                + children * perChild),
                r.out());
        // count by streaming: a million records do not need to be held in memory
        ObjectMapper json = new ObjectMapper();
        long denied = 0;
        long lines = 0;
        try (java.io.BufferedReader in = Files.newBufferedReader(log)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines++;
                JsonNode n = json.readTree(line);
                if (n.path("decision").asText().equals("errno")
                        && "/etc/hostname".equals(n.path("path").asText())) {
                    denied++;
                }
            }
        }
        assertEquals(8L * perThread + (long) children * perChild, denied);
        assertEquals(1_000_000L, denied);
        assertTrue(r.err().contains("syscage: audit log: " + log + " (" + lines + " records)"), r.err());
    }

    @Test
    void textLogSummaryMetricsAndAUserHook() throws Exception {
        Path p = policy("""
                  default: allow
                """);
        Path log = dir.resolve("audit.txt");
        Path metrics = dir.resolve("metrics.prom");
        Result r = RunTest.syscage(
                dir,
                "run",
                "--mode",
                "trace",
                "--policy",
                p.toString(),
                "--log",
                log.toString(),
                "--log-format",
                "text",
                "--metrics",
                metrics.toString(),
                "--summary",
                "--hook",
                DenyHostnameHook.class.getName(),
                "--",
                testprog("opens").toString(),
                "/etc/hostname",
                "/etc/os-release");
        assertEquals(0, r.code(), r.err());
        assertEquals("/etc/hostname: errno EROFS\n/etc/os-release: ok\n", r.out());
        String text = Files.readString(log);
        assertTrue(
                text.matches(
                        "(?s).*\\[pid \\d+\\] openat\\(AT_FDCWD, \"/etc/hostname\", O_RDONLY[^)]*\\) = -1 EROFS .*"),
                text);
        assertTrue(r.err().contains("openat"), "summary table expected on stderr: " + r.err());
        String prom = Files.readString(metrics);
        assertTrue(prom.contains("syscage_syscalls_total{decision=\"errno\",syscall=\"openat\"} 1.0"), prom);
    }

    @Test
    void hooksNamedInThePolicyAreStackedAfterItsRules() throws Exception {
        Path p = policy("  hooks: [" + DenyHostnameHook.class.getName() + "]\n  default: allow\n");
        Result r = RunTest.syscage(
                dir,
                "run",
                "--mode",
                "trace",
                "--policy",
                p.toString(),
                "--log",
                dir.resolve("a.jsonl").toString(),
                "--",
                testprog("opens").toString(),
                "/etc/hostname",
                "/etc/os-release");
        assertEquals(0, r.code(), r.err());
        assertEquals("/etc/hostname: errno EROFS\n/etc/os-release: ok\n", r.out());
        assertTrue(records(dir.resolve("a.jsonl")).stream()
                .anyMatch(n -> "deny-hostname".equals(n.path("hook").asText())));

        Path missing = policy("  hooks: [com.example.NoSuchHook]\n  default: allow\n");
        Result bad = RunTest.syscage(
                dir,
                "run",
                "--mode",
                "trace",
                "--policy",
                missing.toString(),
                "--log",
                dir.resolve("b.jsonl").toString(),
                "--",
                "touch",
                dir.resolve("ran").toString());
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().startsWith("syscage: ") && bad.err().contains("com.example.NoSuchHook"), bad.err());
        assertFalse(Files.exists(dir.resolve("ran")));
    }

    @Test
    void execveFromASecondThreadIsFollowed() throws Exception {
        Path p = policy("""
                  default: allow
                """);
        Path log = dir.resolve("audit.jsonl");
        Result r = RunTest.syscage(
                dir,
                "run",
                "--mode",
                "trace",
                "--policy",
                p.toString(),
                "--log",
                log.toString(),
                "--",
                "python3",
                "-c",
                "import os, threading\n"
                        + "t = threading.Thread(target=lambda: os.execv('/bin/echo', ['echo', 'from-thread']))\n"
                        + "t.start(); t.join()");
        assertEquals(0, r.code(), r.err());
        assertEquals("from-thread\n", r.out());
        assertTrue(
                records(log).stream()
                        .anyMatch(n -> "execve".equals(n.path("syscall").asText())
                                && "/bin/echo".equals(n.path("path").asText())),
                "the thread's execve must be logged");
    }

    @Test
    void aProgramWhoseTracerIsNotTheSupervisorRefusesToStart() throws Exception {
        Path report = dir.resolve("report");
        Path go = dir.resolve("go");
        assertEquals(
                0,
                new ProcessBuilder("mkfifo", report.toString(), go.toString())
                        .start()
                        .waitFor());
        Path filter = dir.resolve("f.bpf");
        Files.write(filter, TraceRunnerTest.compile("version: 1\ninclude: [default]\ndefault: errno EPERM\n"));
        Path marker = dir.resolve("ran");
        Process launcher = new ProcessBuilder(
                        TraceRunnerTest.launcher().toString(),
                        "--filter",
                        filter.toString(),
                        "--trace-handshake",
                        report + "," + go,
                        "--tracer",
                        "1",
                        "--",
                        "touch",
                        marker.toString())
                .redirectErrorStream(true)
                .start();
        // the launcher opens the report FIFO, then the go FIFO, before it forks: open both ends
        // from our side concurrently, or each side waits for the other
        java.util.concurrent.CompletableFuture<java.io.OutputStream> goOut =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return Files.newOutputStream(go);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
        try {
            try (java.io.BufferedReader in = Files.newBufferedReader(report);
                    java.io.OutputStream g = goOut.get(20, TimeUnit.SECONDS)) {
                String pid = in.readLine(); // nobody seizes it, but the go byte comes anyway
                assertTrue(pid != null && pid.matches("\\d+"), String.valueOf(pid));
                g.write('g');
            }
            assertTrue(launcher.waitFor(20, TimeUnit.SECONDS));
            assertEquals(125, launcher.exitValue());
            String out = new String(launcher.getInputStream().readAllBytes());
            assertEquals(
                    "syscage-launch: the program's tracer is 0, not the supervisor (1): refusing to start it\n", out);
            assertFalse(Files.exists(marker));
        } finally {
            launcher.descendants().forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly();
        }
    }

    /**
     * SIGSTOP stops the traced sleep until SIGCONT (the supervisor must not resume a group-stop),
     * SIGCONT resumes it, and SIGINT reaches the shell, whose trap ends the run. The sleep lasts
     * 60 s, so the INT finds the shell before or in its {@code wait}, never after: either way the
     * trap runs next, so there is one outcome, "got-int" and exit status 7.
     */
    @Test
    void stopAndContinueBehaveAsWithoutTracing() throws Exception {
        Path p = policy("""
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
                "trace",
                "--policy",
                p.toString(),
                "--log",
                dir.resolve("a.jsonl").toString(),
                "--",
                "sh",
                "-c",
                "trap 'echo got-int; kill $!; exit 7' INT; sleep 60 & wait; echo wait-ended");
        Process proc = new ProcessBuilder(cmd)
                .redirectErrorStream(false)
                .redirectOutput(dir.resolve("out").toFile())
                .redirectError(dir.resolve("err").toFile())
                .start();
        try {
            ProcessHandle sleep = waitFor(proc, "sleep");
            long shell = sleep.parent().orElseThrow().pid();
            new ProcessBuilder("kill", "-STOP", String.valueOf(sleep.pid()))
                    .start()
                    .waitFor();
            // stopped: 'T', or 't' as /proc shows a tracee held in its group-stop by PTRACE_LISTEN
            Await.until(WAIT, () -> stopped(sleep.pid()), "SIGSTOP did not stop the traced sleep");
            assertTrue(
                    Await.throughout(Duration.ofMillis(300), () -> stopped(sleep.pid())),
                    "a group-stop must last until SIGCONT; state now " + state(sleep.pid()));
            new ProcessBuilder("kill", "-CONT", String.valueOf(sleep.pid()))
                    .start()
                    .waitFor();
            Await.until(
                    WAIT, () -> state(sleep.pid()) == 'S', () -> "SIGCONT did not resume it: " + state(sleep.pid()));
            new ProcessBuilder("kill", "-INT", String.valueOf(shell)).start().waitFor();
            assertTrue(proc.waitFor(30, TimeUnit.SECONDS), "syscage did not end after the shell's trap");
            String err = Files.readString(dir.resolve("err"));
            assertEquals("got-int\n", Files.readString(dir.resolve("out")), err);
            assertEquals(7, proc.exitValue(), err);
            dev.syscage.supervise.audit.AuditSchema.assertValid(dir.resolve("a.jsonl"));
        } finally {
            proc.descendants().forEach(ProcessHandle::destroyForcibly);
            proc.destroyForcibly();
        }
    }

    @Test
    void killingTheSupervisorLeavesNoSurvivor() throws Exception {
        Path p = policy("""
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
                "trace",
                "--policy",
                p.toString(),
                "--log",
                dir.resolve("a.jsonl").toString(),
                "--",
                "sh",
                "-c",
                "sleep 100 & sleep 100 & sh -c 'sleep 100' & wait");
        Process proc = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out").toFile())
                .start();
        try {
            List<ProcessHandle> tree = new ArrayList<>();
            Await.until(
                    WAIT,
                    () -> {
                        tree.clear();
                        tree.addAll(proc.descendants().toList());
                        return tree.stream()
                                        .filter(h ->
                                                h.info().command().orElse("").endsWith("sleep"))
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
                                    .map(h -> h.pid() + " " + h.info().command().orElse(""))
                                    .toList());
        } finally {
            proc.descendants().forEach(ProcessHandle::destroyForcibly);
            proc.destroyForcibly();
        }
    }

    private static ProcessHandle waitFor(Process p, String command) throws InterruptedException {
        List<ProcessHandle> found = new ArrayList<>();
        Await.until(
                WAIT,
                () -> p.descendants()
                        .filter(d -> d.info().command().orElse("").endsWith(command))
                        .findFirst()
                        .map(found::add)
                        .orElse(false),
                command + " never started");
        return found.get(0);
    }

    private static boolean stopped(long pid) {
        return Character.toLowerCase(state(pid)) == 't';
    }

    private static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException e) {
            return '?';
        }
    }
}
