package dev.syscage.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.syscage.nativeaccess.LinuxCLibrary;
import dev.syscage.testing.PtraceAttach;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A run ends with its program, whatever the program does (issue 13): the program's processes
 * live in the run's PID namespace (a supervised run's: below a child subreaper that the signal
 * scope keeps out of the program's reach), so none survives the run, however it was re-parented,
 * whatever session it started, even when it tries to kill its launcher; and the signals sent to syscage
 * reach the program, syscage exits as the program did, and a program that does not obey is
 * killed after the grace period or at a second SIGINT. Each mode (plain, notify, trace) runs for
 * real; the policies allow everything (but signals out of a supervised run), so the only cage is
 * the containment under test.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ContainmentTest {
    private static final String ALLOW_ALL = "version: 1\nname: allow-all\ndefault: allow\n";
    /**
     * allow-all, with one call routed to the supervisor, so --mode trace and notify have one. A
     * supervised run keeps syscage's PID namespace (its launcher is a child subreaper): what keeps
     * the program from killing the launcher there is Landlock's signal scope.
     */
    private static final String ROUTED =
            ALLOW_ALL + "scope: [signal]\nrules:\n  - action: trace\n    syscalls: [uname]\n";

    private final LinuxCLibrary libc = LinuxCLibrary.instance();
    private final List<Process> started = new ArrayList<>();
    private Path dir;
    private String marker;

    @BeforeEach
    void supervisedRunsNeedTheSignalScope(org.junit.jupiter.api.TestInfo info) {
        boolean supervised = info.getDisplayName().contains("notify")
                || info.getDisplayName().contains("trace");
        assumeTrue(
                !supervised || dev.syscage.nativeaccess.Landlock.instance().abi() >= 6,
                "a supervised run relies on Landlock's signal scope (ABI 6, Linux 6.12) to keep its launcher alive");
    }

    @BeforeAll
    static void namespaces() {
        Containment c = Containment.probe(launcher());
        assumeTrue(c.namespaces(), "this machine gives the launcher no PID namespace: " + c.how());
    }

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "syscage-contain-");
        marker = "syscage-orphan-" + UUID.randomUUID();
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        markedProcesses().forEach(ProcessHandle::destroyForcibly);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    /**
     * The program starts an orphan in a new session (its command line carries the marker) and
     * tries to SIGKILL its parent; when syscage has exited, no process of the run is left.
     */
    @ParameterizedTest
    @ValueSource(strings = {"plain", "notify", "trace"})
    void noProcessOutlivesTheRun(String mode) throws Exception {
        PtraceAttach.assumeModeWorks(mode);
        Process p = start(
                mode,
                "sh",
                "-c",
                "(setsid sh -c 'while :; do sleep 1; done' " + marker + " &)" + "; kill -9 $PPID; echo ready; exit 7");
        assertEquals("ready", firstLine(p));
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "syscage did not exit");
        assertEquals(7, p.exitValue(), "the launcher survived its program's SIGKILL and reported its status");
        assertEquals(List.of(), markedProcesses(), "processes of the run outlived it");
    }

    /**
     * A supervised run of a policy that does not scope signals: syscage scopes them anyway, so the
     * program cannot kill its launcher (the kill fails) and leaves nothing behind.
     */
    @ParameterizedTest
    @ValueSource(strings = {"notify", "trace"})
    void aSupervisedRunScopesSignalsWhateverThePolicySays(String mode) throws Exception {
        PtraceAttach.assumeModeWorks(mode);
        String unscoped = ALLOW_ALL + "rules:\n  - action: trace\n    syscalls: [uname]\n";
        Process p = startRaw(syscageCommand(
                mode,
                unscoped,
                List.of(),
                "sh",
                "-c",
                "(setsid sh -c 'while :; do sleep 1; done' " + marker + " &); kill -9 $PPID || echo refused; exit 7"));
        assertEquals("refused", firstLine(p));
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "syscage did not exit");
        assertEquals(7, p.exitValue(), errOf(p));
        assertEquals(List.of(), markedProcesses(), "processes of the run outlived it");
    }

    /** --isolate on the command line: a network namespace with only loopback, for a policy that asks for none. */
    @Test
    void theIsolateOptionAddsNamespaces() throws Exception {
        Process p = start(
                "plain",
                List.of("--isolate", "net,uts"),
                "sh",
                "-c",
                "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ' '; echo");
        assertEquals("lo ", firstLine(p));
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), errOf(p));
        Process bad = start("plain", List.of("--isolate", "pid"), "true");
        assertTrue(bad.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, bad.exitValue());
        assertEquals("syscage: --isolate: unknown namespace 'pid' (choose net, ipc, uts)\n", errOf(bad));
    }

    /** Without containment, the same program kills syscage itself and leaves its orphan running. */
    @Test
    void withoutContainmentTheOrphanSurvives() throws Exception {
        Process p = start(
                "plain",
                List.of("--no-contain"),
                "sh",
                "-c",
                "(setsid sh -c 'while :; do sleep 1; done' " + marker + " &); echo ready; kill -9 $PPID");
        assertEquals("ready", firstLine(p));
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "syscage did not exit");
        assertEquals(137, p.exitValue());
        assertFalse(markedProcesses().isEmpty(), "the orphan was expected to survive a run without containment");
    }

    /** syscage itself killed: the launcher sees it (pidfd) and ends the tree. */
    @ParameterizedTest
    @ValueSource(strings = {"plain", "notify", "trace"})
    void killingSyscageEndsTheTree(String mode) throws Exception {
        PtraceAttach.assumeModeWorks(mode);
        Process p = start(
                mode,
                "sh",
                "-c",
                "(setsid sh -c 'while :; do sleep 1; done' " + marker + " &)" + "; echo ready; exec sleep 600");
        assertEquals("ready", firstLine(p));
        ProcessHandle launcher = p.children().findFirst().orElseThrow();
        p.destroyForcibly();
        p.waitFor();
        assertTrue(launcher.onExit().get(20, TimeUnit.SECONDS) != null);
        assertEquals(List.of(), markedProcesses(), "processes of the run outlived syscage");
    }

    /**
     * SIGINT, SIGTERM, SIGHUP, SIGQUIT to syscage reach the program; syscage exits 128+N, with no
     * internal error, and the orphan the program started is gone too.
     */
    @ParameterizedTest
    @CsvSource({
        "plain,2",
        "plain,15",
        "plain,1",
        "plain,3",
        "notify,2",
        "notify,15",
        "notify,1",
        "notify,3",
        "trace,2",
        "trace,15",
        "trace,1",
        "trace,3"
    })
    void signalsReachTheProgram(String mode, int sig) throws Exception {
        assertEndsBySignal(mode, sig);
    }

    /** 100 runs ended by a signal, the modes and signals in turn: none hangs, none fails, none leaves a process. */
    @Test
    @Timeout(value = 900, unit = TimeUnit.SECONDS)
    void aHundredRunsEndedBySignals() throws Exception {
        String[] modes = {"plain", "notify", "trace"};
        int[] sigs = {2, 15, 1};
        for (int i = 0; i < 100; i++) {
            assertEndsBySignal(modes[i % 3], sigs[(i / 3) % 3]);
            started.clear(); // each run was reaped; the files stay for the next cleanUp
        }
    }

    private void assertEndsBySignal(String mode, int sig) throws Exception {
        Process p = start(
                mode,
                "sh",
                "-c",
                "(setsid sh -c 'while :; do sleep 1; done' " + marker + " &); echo ready; " + "exec sleep 600");
        assertEquals("ready", firstLine(p));
        assertEquals(0, libc.kill((int) p.pid(), sig));
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), mode + ": syscage did not exit after signal " + sig);
        assertEquals(128 + sig, p.exitValue(), mode + ", signal " + sig + ": " + errOf(p));
        assertFalse(errOf(p).contains("internal error"), errOf(p));
        assertEquals(List.of(), markedProcesses(), mode + ", signal " + sig + ": processes of the run outlived it");
    }

    /** In its PID namespace the program is init's child and cannot see or signal the host's processes. */
    @Test
    void aContainedProgramCannotSeeOrSignalTheHostsProcesses() throws Exception {
        long host = ProcessHandle.current().pid();
        Process p = start(
                "plain",
                "sh",
                "-c",
                "echo $$ $PPID; ls -d /proc/" + host + " 2>/dev/null || echo unseen; " + "kill -0 " + host
                        + " 2>/dev/null || echo unsignalled");
        BufferedReader out = reader(p);
        assertEquals("2 1", out.readLine());
        assertEquals("unseen", out.readLine());
        assertEquals("unsignalled", out.readLine());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), errOf(p));
    }

    /** A shell's background job starts with SIGINT ignored; syscage still passes it on. */
    @Test
    void sigintReachesTheProgramWhenSyscageStartedWithItIgnored() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "trap '' INT; exec \"$@\"", "sh"));
        cmd.addAll(syscageCommand("plain", List.of(), "sh", "-c", "echo ready; exec sleep 600"));
        Process p = startRaw(cmd);
        assertEquals("ready", firstLine(p));
        assertEquals(0, libc.kill((int) p.pid(), 2));
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "SIGINT was lost");
        assertEquals(130, p.exitValue(), errOf(p));
    }

    /** A program that ignores SIGTERM is killed, with everything it started, after --grace. */
    @ParameterizedTest
    @ValueSource(strings = {"plain", "notify"})
    void theGracePeriodEndsAProgramThatIgnoresTheSignal(String mode) throws Exception {
        Process p = start(
                mode,
                List.of("--grace", "1"),
                "sh",
                "-c",
                "trap '' TERM; (sh -c 'while :; do sleep 1; done' " + marker
                        + " &); echo ready; while :; do sleep 1; done");
        assertEquals("ready", firstLine(p));
        assertEquals(0, libc.kill((int) p.pid(), 15));
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the grace period did not end the run");
        assertEquals(137, p.exitValue(), errOf(p));
        assertEquals(List.of(), markedProcesses());
    }

    /** The second SIGINT ends the tree at once, whatever the program does with the first. */
    @Test
    void aSecondSigintKillsTheTree() throws Exception {
        Process p = start(
                "plain",
                List.of("--grace", "0"),
                "sh",
                "-c",
                "trap 'echo got-int' INT; echo ready; while :; do sleep 0.1; done");
        BufferedReader out = reader(p);
        assertEquals("ready", out.readLine());
        assertEquals(0, libc.kill((int) p.pid(), 2));
        assertEquals("got-int", out.readLine());
        assertEquals(0, libc.kill((int) p.pid(), 2));
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "a second SIGINT did not end the run");
        assertEquals(137, p.exitValue(), errOf(p));
    }

    // --- helpers

    private Process start(String mode, String... command) throws IOException {
        return start(mode, List.of(), command);
    }

    private Process start(String mode, List<String> options, String... command) throws IOException {
        return startRaw(syscageCommand(mode, options, command));
    }

    private List<String> syscageCommand(String mode, List<String> options, String... command) throws IOException {
        return syscageCommand(mode, mode.equals("plain") ? ALLOW_ALL : ROUTED, options, command);
    }

    private List<String> syscageCommand(String mode, String policyText, List<String> options, String... command)
            throws IOException {
        Path policy =
                Files.writeString(dir.resolve("policy-" + mode + "-" + policyText.hashCode() + ".yaml"), policyText);
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dsyscage.native.dir=" + System.getProperty("syscage.native.dir", "../native/build"),
                "dev.syscage.cli.Main",
                "run",
                "--policy",
                policy.toString(),
                "--log",
                dir.resolve("audit.jsonl").toString()));
        if (!mode.equals("plain")) {
            cmd.addAll(List.of("--mode", mode));
        }
        cmd.addAll(options);
        cmd.add("--");
        cmd.addAll(List.of(command));
        return cmd;
    }

    private Process startRaw(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(dir.resolve("err-" + started.size() + ".txt").toFile())
                .start();
        started.add(p);
        return p;
    }

    private String errOf(Process p) throws IOException {
        return Files.readString(dir.resolve("err-" + started.indexOf(p) + ".txt"));
    }

    private final java.util.Map<Process, BufferedReader> readers = new java.util.HashMap<>();

    private BufferedReader reader(Process p) {
        return readers.computeIfAbsent(
                p, q -> new BufferedReader(new InputStreamReader(q.getInputStream(), StandardCharsets.UTF_8)));
    }

    private String firstLine(Process p) throws IOException {
        return reader(p).readLine();
    }

    /** The processes whose command line holds this test's marker. */
    private List<ProcessHandle> markedProcesses() {
        return ProcessHandle.allProcesses()
                .filter(h -> cmdline(h.pid()).contains(marker))
                .toList();
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static Path launcher() {
        return Path.of(System.getProperty("syscage.native.dir", "../native/build"), "syscage-launch")
                .toAbsolutePath();
    }
}
