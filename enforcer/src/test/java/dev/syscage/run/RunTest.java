package dev.syscage.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.testing.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code syscage run} end to end: a real JVM running the CLI, the real launcher, real programs,
 * the real kernel.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public class RunTest {
    @TempDir
    Path dir;

    public record Result(int code, String out, String err) {}

    public static Result syscage(Path cwd, String... args) throws IOException, InterruptedException {
        return syscage(90, cwd, args);
    }

    /** As {@link #syscage(Path, String...)}, waiting at most {@code seconds}. */
    public static Result syscage(int seconds, Path cwd, String... args) throws IOException, InterruptedException {
        return syscageWithJvmOptions(List.of(), seconds, cwd, args);
    }

    /** As {@link #syscage(int, Path, String...)}, with extra JVM options ({@code -Dname=value}). */
    public static Result syscageWithJvmOptions(List<String> jvmOptions, int seconds, Path cwd, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dsyscage.native.dir=" + System.getProperty("syscage.native.dir", "../native/build")));
        cmd.addAll(jvmOptions);
        cmd.add("dev.syscage.cli.Main");
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(cwd, "out", ".txt");
        Path err = Files.createTempFile(cwd, "err", ".txt");
        Process p = new ProcessBuilder(cmd)
                .directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new AssertionError("syscage " + String.join(" ", args) + " did not finish");
            }
            Result r = new Result(
                    p.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            jsonLog(cwd, args).ifPresent(dev.syscage.supervise.audit.AuditSchema::assertValid);
            return r;
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /**
     * The JSON audit log a run was given ({@code --log FILE}, not {@code --log-format text}), if it
     * wrote one: every run of the tests has its records checked against the schema.
     */
    static java.util.Optional<Path> jsonLog(Path cwd, String... args) {
        List<String> a = List.of(args);
        int end = a.indexOf("--");
        List<String> opts = end < 0 ? a : a.subList(0, end);
        int i = opts.indexOf("--log");
        int f = opts.indexOf("--log-format");
        if (i < 0
                || i + 1 >= opts.size()
                || (f >= 0 && f + 1 < opts.size() && !opts.get(f + 1).equals("jsonl"))) {
            return java.util.Optional.empty();
        }
        Path log = cwd.resolve(opts.get(i + 1)).toAbsolutePath();
        boolean kernels = log.startsWith("/proc") || log.startsWith("/sys") || log.startsWith("/dev");
        return !kernels && Files.isRegularFile(log) ? java.util.Optional.of(log) : java.util.Optional.empty();
    }

    private Path policy(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void realProgramsRunUnderTheDefaultProfile() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "alpha\n");
        Result sh = syscage(dir, "run", "--profile", "default", "--", "sh", "-c", "echo hello | cat; ls " + data);
        assertEquals(0, sh.code(), sh.err());
        assertEquals("hello\na.txt\n", sh.out());
        Result cat = syscage(
                dir,
                "run",
                "--profile",
                "default",
                "--",
                "cat",
                data.resolve("a.txt").toString());
        assertEquals("alpha\n", cat.out(), cat.err());
        Result py = syscage(
                dir,
                "run",
                "--profile",
                "default",
                "--",
                "python3",
                "-c",
                "import json, os, threading; t = threading.Thread(target=print, args=('thread',)); t.start(); t.join();"
                        + " print(json.dumps({'files': sorted(os.listdir('" + data + "'))}))");
        assertEquals(0, py.code(), py.err());
        assertEquals("thread\n{\"files\": [\"a.txt\"]}\n", py.out());
        Result tar = syscage(
                dir, "run", "--profile", "default", "--", "sh", "-c", "tar -C " + data + " -cf - . | tar -tf - | sort");
        assertEquals(0, tar.code(), tar.err());
        assertEquals("./\n./a.txt\n", tar.out());
    }

    @Test
    void exitStatusIsTheProgramsOwn() throws Exception {
        assertEquals(
                42,
                syscage(dir, "run", "--profile", "default", "--", "sh", "-c", "exit 42")
                        .code());
        assertEquals(
                128 + 15,
                syscage(dir, "run", "--profile", "default", "--", "sh", "-c", "kill -TERM $$")
                        .code());
    }

    @Test
    void deniedSyscallReturnsTheConfiguredErrno() throws Exception {
        Path p = policy("ro.yaml", """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: errno EROFS
                    syscalls: [mkdir, mkdirat]
                """);
        Result r = syscage(
                dir,
                "run",
                "--policy",
                p.toString(),
                "--",
                "mkdir",
                dir.resolve("made").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("Read-only file system"), r.err());
        assertFalse(Files.exists(dir.resolve("made")));
    }

    @Test
    void killRuleEndsTheProgramWithSigsysAndNamesTheSyscall() throws Exception {
        Path p = policy("kill.yaml", """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: kill
                    syscalls: [mkdir, mkdirat]
                """);
        Result r = syscage(
                dir,
                "run",
                "--policy",
                p.toString(),
                "--",
                "mkdir",
                dir.resolve("made").toString());
        assertEquals(159, r.code(), r.err());
        assertTrue(r.err().startsWith("syscage: mkdir was killed by SIGSYS: the policy kills "), r.err());
        assertFalse(Files.exists(dir.resolve("made")));
    }

    @Test
    void logRuleLeavesTheProgramRunning() throws Exception {
        Path p = policy("log.yaml", """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: log
                    syscalls: [uname]
                """);
        Result r = syscage(dir, "run", "--policy", p.toString(), "--", "uname", "-s");
        assertEquals(0, r.code(), r.err());
        assertEquals("Linux\n", r.out());
    }

    @Test
    void dryRunPrintsWhatWouldBeInstalledAndRunsNothing() throws Exception {
        Result r = syscage(
                dir,
                "run",
                "--profile",
                "default",
                "--dry-run",
                "--",
                "touch",
                dir.resolve("t").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out()
                        .startsWith("policy: default (container-like defaults for ordinary programs)\n"
                                + "arch: x86_64; any other: kill\n"),
                r.out());
        assertTrue(r.out().matches("(?s).*filter: \\d+ instructions \\(\\d+ bytes\\), verified\n.*"), r.out());
        assertFalse(Files.exists(dir.resolve("t")));
    }

    @Test
    void notifyModeSaysWhichPathRulesAreOnlyAGuardRail() throws Exception {
        Path p = policy("exec-paths.yaml", """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: notify
                    syscalls: [execve, openat]
                supervise:
                  rules:
                    - syscalls: [openat]
                      path: ["/etc/**"]
                      decision: allow
                    - syscalls: [execve]
                      path: ["/usr/bin/*"]
                      decision: allow
                  default: errno EACCES
                """);
        Result notify = syscage(dir, "run", "--mode", "notify", "--policy", p.toString(), "--dry-run", "--", "true");
        assertEquals(0, notify.code(), notify.err());
        assertTrue(notify.err().startsWith(p + ":12:7: warning: "), notify.err());
        assertTrue(
                notify.err()
                        .contains("warning: supervise rule #2 decides execve, execveat by path, which notify mode"
                                + " lets run as the program asked (CONTINUE)"),
                notify.err());
        assertFalse(notify.err().contains("rule #1"), "opens are made race-free: " + notify.err());
        Result trace = syscage(dir, "run", "--mode", "trace", "--policy", p.toString(), "--dry-run", "--", "true");
        assertEquals(0, trace.code(), trace.err());
        assertFalse(trace.err().contains("CONTINUE"), trace.err());
    }

    @Test
    void badInputIsAClearErrorAndNothingRuns() throws Exception {
        Result missing = syscage(dir, "run", "--policy", "nope.yaml", "--", "touch", "x");
        assertEquals(2, missing.code());
        assertEquals("syscage: cannot read nope.yaml: no such file\n", missing.err());
        Result profile = syscage(dir, "run", "--profile", "nope", "--", "true");
        assertEquals(2, profile.code());
        assertTrue(
                profile.err().startsWith("syscage: no shipped profile 'nope'; the shipped profiles are: "),
                profile.err());
        Result notFound = syscage(dir, "run", "--profile", "default", "--", "no-such-program-xyz");
        assertEquals(127, notFound.code());
        assertTrue(notFound.err().contains("no-such-program-xyz"), notFound.err());
        assertFalse(Files.exists(dir.resolve("x")));
    }

    @Test
    void aPolicyThatKillsExecveIsRefusedBeforeAnythingStarts() throws Exception {
        Path p = policy("noexec.yaml", """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: kill
                    syscalls: [execve]
                """);
        Result r = syscage(
                dir,
                "run",
                "--policy",
                p.toString(),
                "--",
                "touch",
                dir.resolve("t").toString());
        assertEquals(2, r.code());
        assertEquals(
                p + ":5:5: error: policy kills execve: the program could not start\n"
                        + "      - action: kill\n"
                        + "        ^\n"
                        + "1 error\n",
                r.err());
        assertFalse(Files.exists(dir.resolve("t")));
    }

    @Test
    void sigtermToSyscageReachesTheProgram() throws Exception {
        List<String> cmd = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dsyscage.native.dir=" + System.getProperty("syscage.native.dir", "../native/build"),
                "dev.syscage.cli.Main",
                "run",
                "--profile",
                "default",
                "--",
                "sleep",
                "60");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("o").toFile())
                .start();
        try {
            Await.until(
                    Duration.ofSeconds(30),
                    () -> p.descendants()
                            .anyMatch(h -> h.info().command().orElse("").endsWith("sleep")),
                    "sleep never started");
            ProcessHandle sleep = p.descendants().findFirst().orElseThrow();
            new ProcessBuilder("kill", "-TERM", String.valueOf(p.pid())).start().waitFor();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "syscage did not exit");
            assertEquals(128 + 15, p.exitValue());
            assertTrue(sleep.onExit().get(5, TimeUnit.SECONDS) != null);
            assertFalse(sleep.isAlive());
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
