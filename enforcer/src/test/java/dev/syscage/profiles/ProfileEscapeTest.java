package dev.syscage.profiles;

import static dev.syscage.run.RunTest.syscage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.syscage.nativeaccess.Landlock;
import dev.syscage.run.RunTest.Result;
import dev.syscage.testing.PtraceAttach;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The escapes issue 12 found, run for real under the shipped profiles (native/testprogs/escape.c):
 * each must fail, and each is first shown to work under a policy that only filters system calls
 * ({@code default: allow}), so these tests fail when the protection goes. Profiles with a
 * supervisor run in notify and in trace mode; {@code default} does too, through a policy that
 * includes it and routes one call.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ProfileEscapeTest {
    private static final List<String> PROFILES =
            List.of("default", "no-exec", "no-network", "build", "python", "shell", "read-only", "strict-stdio");
    private Path dir;
    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void landlock() {
        assumeTrue(
                Landlock.instance().abi() >= 6,
                "these tests need Landlock ABI 6 (Linux 6.12) for the signal scope; " + "this kernel has ABI "
                        + Landlock.instance().abi());
    }

    @BeforeEach
    void makeDir() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "syscage-escape-");
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static String escape() {
        return Path.of(System.getProperty("syscage.native.dir", "../native/build"), "testprogs", "escape")
                .toAbsolutePath()
                .toString();
    }

    /** A policy that filters nothing: the escapes work under it. */
    private Path unconfined() throws IOException {
        return Files.writeString(dir.resolve("unconfined.yaml"), "version: 1\ndefault: allow\n");
    }

    /** {@code default} with one routed call, so that it runs with a supervisor in either mode. */
    private Path supervisedDefault() throws IOException {
        return Files.writeString(dir.resolve("supervised-default.yaml"), """
                version: 1
                include: [default]
                landlock: best-effort
                default: errno EPERM
                rules:
                  - action: trace
                    syscalls: [uname]
                """);
    }

    private Result run(List<String> how, String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(how);
        args.add("--");
        args.add(escape());
        args.addAll(List.of(command));
        return syscage(dir, args.toArray(String[]::new));
    }

    /** Every way a profile is run here: each profile as shipped, and the supervised ones in both modes. */
    private List<List<String>> ways() throws IOException {
        List<List<String>> out = new ArrayList<>();
        for (String p : PROFILES) {
            out.add(List.of("--profile", p));
        }
        for (String mode : List.of("notify", "trace")) {
            out.add(List.of("--profile", "read-only", "--mode", mode));
            out.add(List.of("--policy", supervisedDefault().toString(), "--mode", mode));
        }
        return out;
    }

    /** A process outside the sandbox whose memory the escape writes into: its pid and the word's address. */
    private String[] victim() throws IOException {
        Process v =
                new ProcessBuilder(escape(), "victim").redirectErrorStream(true).start();
        started.add(v);
        BufferedReader r = new BufferedReader(new InputStreamReader(v.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        assertTrue(line != null && line.matches("\\d+ 0x[0-9a-f]+"), "victim said: " + line);
        return line.split(" ");
    }

    @Test
    void noProfileLetsAProgramWriteIntoAnotherProcessThroughProcMem() throws Exception {
        String[] v = victim();
        Result open = run(List.of("--policy", unconfined().toString(), "--no-contain"), "procmem", v[0], v[1]);
        assertEquals("procmem: ok\n", open.out(), "the escape itself must work without Landlock: " + open.err());
        for (List<String> how : ways()) {
            String[] w = victim();
            Result r = run(how, "procmem", w[0], w[1]);
            assertEquals(1, r.code(), how + ": " + r.out() + r.err());
            assertTrue(r.out().startsWith("procmem: open: "), how + ": " + r.out());
        }
    }

    @Test
    void noProfileLetsAProgramMakeADeviceNode() throws Exception {
        Result open = run(
                List.of("--policy", unconfined().toString()),
                "mknod",
                dir.resolve("control").toString());
        assertEquals("mknod: ok\n", open.out(), open.err());
        for (List<String> how : ways()) {
            Path node = dir.resolve("loop" + how.hashCode());
            Result r = run(how, "mknod", node.toString());
            assertEquals(1, r.code(), how + ": " + r.out() + r.err());
            assertTrue(r.out().startsWith("mknod: mknod: "), how + ": " + r.out());
            assertFalse(Files.exists(node), how + ": the node was made");
        }
    }

    @Test
    void noProfileLetsAProgramSignalAProcessOutsideOrItsLauncher() throws Exception {
        Process outsider = new ProcessBuilder("sleep", "3600").start();
        started.add(outsider);
        String pid = String.valueOf(outsider.pid());
        assertEquals(
                "kill: ok\n",
                run(List.of("--policy", unconfined().toString(), "--no-contain"), "kill", pid)
                        .out());
        for (List<String> how : ways()) {
            Result r = run(how, "kill", pid);
            // Landlock's signal scope says EPERM; a run in its own PID namespace does not even see the outsider
            assertTrue(
                    r.out().equals("kill: kill: Operation not permitted\n")
                            || r.out().equals("kill: kill: No such process\n"),
                    how + ": " + r.out() + r.err());
            Result parent = run(how, "kill", "ppid");
            assertEquals("kill: kill: Operation not permitted\n", parent.out(), how + ": " + parent.err());
        }
        assertTrue(outsider.isAlive());
    }

    @ParameterizedTest
    @ValueSource(strings = {"notify", "trace", "none"})
    void noNetworkClosesTheTunRoute(String mode) throws Exception {
        PtraceAttach.assumeModeWorks(mode);
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "this machine has no /dev/net/tun");
        assertEquals(
                "tun: ok\n",
                run(List.of("--policy", unconfined().toString()), "tun").out());
        List<String> how = mode.equals("none")
                ? List.of("--profile", "no-network")
                : List.of(
                        "--policy",
                        Files.writeString(dir.resolve("nn.yaml"), """
                        version: 1
                        include: [no-network]
                        landlock: best-effort
                        default: errno EPERM
                        rules:
                          - action: trace
                            syscalls: [uname]
                        """).toString(),
                        "--mode",
                        mode);
        Result r = run(how, "tun");
        assertEquals("tun: ioctl(TUNSETIFF): Operation not permitted\n", r.out(), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"notify", "trace"})
    void readOnlySetsNoAttributeFlags(String mode) throws Exception {
        PtraceAttach.assumeModeWorks(mode);
        Path outside = Files.createTempDirectory(Path.of("/var/tmp"), "syscage-escape-");
        try {
            Path file = Files.writeString(outside.resolve("f"), "data\n");
            assertEquals(
                    "setflags: ok\n",
                    run(List.of("--policy", unconfined().toString()), "setflags", file.toString())
                            .out());
            Result r = run(List.of("--profile", "read-only", "--mode", mode), "setflags", file.toString());
            assertEquals("setflags: ioctl(FS_IOC_SETFLAGS): Read-only file system\n", r.out(), r.err());
        } finally {
            try (Stream<Path> s = Files.walk(outside)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"notify", "trace"})
    void readOnlyRacesCannotWriteOutsideTmp(String mode) throws Exception {
        PtraceAttach.assumeModeWorks(mode);
        Path outside = Files.createTempDirectory(Path.of("/var/tmp"), "syscage-escape-");
        try {
            Path denied = outside.resolve("denied");
            Path link = dir.resolve("link");
            Files.writeString(dir.resolve("link.target"), "");
            String writerace = Path.of(escape()).resolveSibling("writerace").toString();
            Result control = syscage(
                    dir,
                    "run",
                    "--policy",
                    unconfined().toString(),
                    "--",
                    writerace,
                    dir.resolve("allowed").toString(),
                    denied.toString(),
                    link.toString(),
                    "3000");
            assertTrue(Files.exists(denied), "the race must reach " + denied + " without Landlock: " + control.out());
            Files.delete(denied);
            List<String> args = new ArrayList<>(List.of(
                    "run",
                    "--profile",
                    "read-only",
                    "--mode",
                    mode,
                    "--",
                    writerace,
                    dir.resolve("allowed").toString(),
                    denied.toString(),
                    link.toString(),
                    "3000"));
            Result r = syscage(dir, args.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().matches("writes=[1-9]\\d* refused=[1-9]\\d*\n"), r.out());
            assertFalse(Files.exists(denied), "a write reached " + denied + ": " + r.out());
            assertFalse(Files.exists(Path.of(denied + "-dir")), "a mkdir reached " + denied + "-dir");
        } finally {
            try (Stream<Path> s = Files.walk(outside)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
