package dev.syscage.launch;

import static dev.syscage.launch.LaunchHarness.ALLOW_ALL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.launch.LaunchHarness.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's command line, program lookup, filter checks and failure paths, run as a real
 * process: exit statuses 125/126/127, whole error messages, and — for every failure before exec —
 * proof that the program never ran (it would have created a marker file).
 */
class LauncherTest {
    private static final String USAGE_HINT = "Try 'syscage-launch --help'.\n";

    @TempDir
    Path dir;

    private LaunchHarness h;
    private Path allow;
    private Path marker;

    @BeforeEach
    void setUp() throws IOException {
        h = new LaunchHarness(dir);
        allow = h.filter(ALLOW_ALL);
        marker = dir.resolve("program-ran");
    }

    /** The program every failure test tries to start: it leaves a marker when it runs. */
    private String[] touchMarker() {
        return new String[] {"--", "touch", marker.toString()};
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private Result launchTouch(Map<String, String> env, String... options) throws Exception {
        return h.launchWithEnv(env, concat(options, touchMarker()));
    }

    private void assertFailedBeforeExec(Result r, String stderr) {
        assertEquals(125, r.code(), r.toString());
        assertEquals(stderr, r.err());
        assertFalse(Files.exists(marker), "the program ran although the launcher failed");
    }

    @Test
    void trueRunsAndExitsZero() throws Exception {
        Result r = h.launch("--filter", allow.toString(), "--", "/bin/true");
        assertEquals(0, r.code(), r.toString());
        assertEquals("", r.err());
    }

    @Test
    void exitStatusIsTheProgramsOwn() throws Exception {
        Result r = h.launch("--filter", allow.toString(), "--", "sh", "-c", "exit 3");
        assertEquals(3, r.code(), r.toString());
    }

    @Test
    void programRunsWithItsArgumentsAndMarkerProvesIt() throws Exception {
        Result r = launchTouch(Map.of(), "--filter", allow.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.exists(marker), "the marker program did not run; the failure tests would prove nothing");
    }

    private Path script(Path where, String body, String perms) throws IOException {
        Files.createDirectories(where.getParent());
        Files.writeString(where, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(where, PosixFilePermissions.fromString(perms));
        return where;
    }

    @Test
    void relativeNameIsLookedUpInPathSkippingNonExecutables() throws Exception {
        script(dir.resolve("a/hello"), "echo from-a", "rw-r--r--");
        script(dir.resolve("b/hello"), "echo from-b", "rwxr-xr-x");
        String path = dir.resolve("missing") + ":" + dir.resolve("a") + ":" + dir.resolve("b");
        Result r = h.launchWithEnv(Map.of("PATH", path), "--filter", allow.toString(), "--", "hello");
        assertEquals(0, r.code(), r.toString());
        assertEquals("from-b\n", r.out());
    }

    @Test
    void explicitPathIsUsedAsIs() throws Exception {
        Path s = script(dir.resolve("bin/greet"), "echo \"hi $1\"", "rwxr-xr-x");
        Result r = h.launchWithEnv(
                Map.of("PATH", "/nonexistent"), "--filter", allow.toString(), "--", s.toString(), "there");
        assertEquals(0, r.code(), r.toString());
        assertEquals("hi there\n", r.out());
    }

    @Test
    void missingProgramIs127() throws Exception {
        Result r = h.launchWithEnv(
                Map.of("PATH", "/nonexistent:/also-not"), "--filter", allow.toString(), "--", "no-such-program");
        assertEquals(127, r.code(), r.toString());
        assertEquals("syscage-launch: no-such-program: command not found in PATH (/nonexistent:/also-not)\n", r.err());
    }

    @Test
    void missingExplicitPathIs127() throws Exception {
        Path p = dir.resolve("nothing-here");
        Result r = h.launch("--filter", allow.toString(), "--", p.toString());
        assertEquals(127, r.code(), r.toString());
        assertEquals("syscage-launch: " + p + ": No such file or directory\n", r.err());
    }

    @Test
    void nonExecutableFileIs126() throws Exception {
        Path s = script(dir.resolve("plain"), "touch " + marker, "rw-r--r--");
        Result r = h.launch("--filter", allow.toString(), "--", s.toString());
        assertEquals(126, r.code(), r.toString());
        assertEquals(
                "syscage-launch: " + s
                        + ": Permission denied. (Hint: it is not a regular file with execute permission.)\n",
                r.err());
        assertFalse(Files.exists(marker));
    }

    @Test
    void nonExecutableFileFoundOnlyInPathIs126() throws Exception {
        Path s = script(dir.resolve("a/tool"), "true", "rw-r--r--");
        Result r = h.launchWithEnv(
                Map.of("PATH", dir.resolve("a").toString()), "--filter", allow.toString(), "--", "tool");
        assertEquals(126, r.code(), r.toString());
        assertEquals(
                "syscage-launch: " + s
                        + ": Permission denied. (Hint: it is not a regular file with execute permission.)\n",
                r.err());
    }

    @Test
    void directoryIs126() throws Exception {
        Path d = Files.createDirectory(dir.resolve("subdir"));
        Result r = h.launch("--filter", allow.toString(), "--", d.toString());
        assertEquals(126, r.code(), r.toString());
        assertEquals("syscage-launch: " + d + ": Is a directory\n", r.err());
    }

    @Test
    void fileTheKernelCannotExecuteIs126FromExecve() throws Exception {
        Path junk = dir.resolve("junk");
        Files.write(junk, new byte[] {1, 2, 3, 4});
        Files.setPosixFilePermissions(junk, PosixFilePermissions.fromString("rwxr-xr-x"));
        Result r = h.launch("--filter", allow.toString(), "--", junk.toString());
        assertEquals(126, r.code(), r.toString());
        assertEquals(
                "syscage-launch: " + junk + ": execve: Exec format error (not a binary this kernel runs, "
                        + "and no #! line; or the policy denies execve with ENOEXEC)\n",
                r.err());
    }

    @Test
    void filterWhoseSizeIsNotAMultipleOf8FailsBeforeExec() throws Exception {
        Path f = h.bytes(new byte[12]);
        assertFailedBeforeExec(
                launchTouch(Map.of(), "--filter", f.toString()),
                "syscage-launch: " + f + ": filter is 12 bytes, not a multiple of 8 (sizeof(struct sock_filter))\n");
    }

    @Test
    void filterOverTheKernelLimitFailsBeforeExec() throws Exception {
        Path f = h.bytes(new byte[4097 * 8]);
        assertFailedBeforeExec(
                launchTouch(Map.of(), "--filter", f.toString()),
                "syscage-launch: " + f + ": filter has 4097 instructions; the kernel accepts 4096\n");
    }

    @Test
    void filterAtTheKernelLimitIsReadWhole() throws Exception {
        // 4096 instructions "ret ALLOW" (code 0x06, k 0x7fff0000): the largest filter accepted.
        byte[] b = new byte[4096 * 8];
        for (int i = 0; i < 4096; i++) {
            b[i * 8] = 0x06;
            b[i * 8 + 6] = (byte) 0xff;
            b[i * 8 + 7] = 0x7f;
        }
        Result r = launchTouch(Map.of(), "--filter", h.bytes(b).toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.exists(marker));
    }

    @Test
    void emptyFilterFailsBeforeExec() throws Exception {
        Path f = h.bytes(new byte[0]);
        assertFailedBeforeExec(
                launchTouch(Map.of(), "--filter", f.toString()),
                "syscage-launch: " + f + ": filter is empty (0 bytes); it needs at least one instruction\n");
    }

    @Test
    void missingFilterFileFailsBeforeExec() throws Exception {
        Path f = dir.resolve("nope.bpf");
        assertFailedBeforeExec(
                launchTouch(Map.of(), "--filter", f.toString()),
                "syscage-launch: open(" + f + "): No such file or directory\n");
    }

    @Test
    void programTheKernelRejectsFailsWithTheSeccompHint() throws Exception {
        Path f = h.bytes(new byte[8]); // one "ld [0]" and no return: the kernel says EINVAL
        assertFailedBeforeExec(
                launchTouch(Map.of(), "--filter", f.toString()),
                "syscage-launch: seccomp(SECCOMP_SET_MODE_FILTER): Invalid argument. (Hint: this requires a kernel "
                        + "with CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER, or a flag this kernel does not know; a "
                        + "malformed program fails with EINVAL too: check it with syscage disasm --bpf FILE.)\n");
    }

    @Test
    void injectedNoNewPrivsFailureFailsBeforeExec() throws Exception {
        assertFailedBeforeExec(
                launchTouch(Map.of("SYSCAGE_LAUNCH_INJECT", "no_new_privs:EPERM"), "--filter", allow.toString()),
                "syscage-launch: prctl(PR_SET_NO_NEW_PRIVS): Operation not permitted\n");
    }

    @Test
    void injectedSeccompEinvalSimulatesAKernelWithoutSeccomp() throws Exception {
        assertFailedBeforeExec(
                launchTouch(Map.of("SYSCAGE_LAUNCH_INJECT", "seccomp:EINVAL"), "--filter", allow.toString()),
                "syscage-launch: seccomp(SECCOMP_SET_MODE_FILTER): Invalid argument. (Hint: this requires a kernel "
                        + "with CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER, or a flag this kernel does not know; a "
                        + "malformed program fails with EINVAL too: check it with syscage disasm --bpf FILE.)\n");
    }

    @Test
    void injectedErrnoMayBeANumber() throws Exception {
        assertFailedBeforeExec(
                launchTouch(Map.of("SYSCAGE_LAUNCH_INJECT", "seccomp:38"), "--filter", allow.toString()),
                "syscage-launch: seccomp(SECCOMP_SET_MODE_FILTER): Function not implemented. (Hint: this kernel "
                        + "has no seccomp() system call (Linux 3.17 or later has it).)\n");
    }

    @Test
    void filterNotInForceAfterInstallFailsBeforeExec() throws Exception {
        assertFailedBeforeExec(
                launchTouch(Map.of("SYSCAGE_LAUNCH_INJECT", "get_seccomp:0"), "--filter", allow.toString()),
                "syscage-launch: prctl(PR_GET_SECCOMP) reports mode 0 after seccomp() succeeded: the filter is "
                        + "not in force; refusing to run the program. (Hint: a policy that makes prctl return 0, "
                        + "such as 'errno 0', also ends here.)\n");
    }

    @Test
    void malformedInjectionFailsClosed() throws Exception {
        assertFailedBeforeExec(
                launchTouch(Map.of("SYSCAGE_LAUNCH_INJECT", "seccomp:EWHAT"), "--filter", allow.toString()),
                "syscage-launch: SYSCAGE_LAUNCH_INJECT: 'seccomp:EWHAT' is not an errno name (like EINVAL) "
                        + "or a number 0..4095\n");
    }

    @Test
    void injectionVariableIsNotPassedToTheProgram() throws Exception {
        // get_seccomp with an errno other than EINVAL means "prctl denied": the launcher goes on.
        Result r = h.launchWithEnv(
                Map.of("SYSCAGE_LAUNCH_INJECT", "get_seccomp:EPERM"),
                "--filter",
                allow.toString(),
                "--",
                "sh",
                "-c",
                "echo ${SYSCAGE_LAUNCH_INJECT-unset}");
        assertEquals(0, r.code(), r.toString());
        assertEquals("unset\n", r.out());
    }

    @Test
    void knownFlagsAreAccepted() throws Exception {
        Result r = launchTouch(Map.of(), "--filter", allow.toString(), "--flags", "tsync,log", "--flags=spec_allow");
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.exists(marker));
    }

    @Test
    void unknownFlagIsAUsageError() throws Exception {
        assertFailedBeforeExec(
                launchTouch(Map.of(), "--filter", allow.toString(), "--flags", "tsync,sloppy"),
                "syscage-launch: --flags: unknown flag 'sloppy' (known: tsync, log, spec_allow)\n" + USAGE_HINT);
    }

    @Test
    void usageErrorsFailBeforeExec() throws Exception {
        assertFailedBeforeExec(
                launchTouch(Map.of()), "syscage-launch: no filter: give --filter FILE or --filter-fd N\n" + USAGE_HINT);
        assertFailedBeforeExec(
                launchTouch(Map.of(), "--filter", allow.toString(), "--filter-fd", "0"),
                "syscage-launch: give exactly one of --filter FILE and --filter-fd N\n" + USAGE_HINT);
        assertFailedBeforeExec(
                launchTouch(Map.of(), "--filter", allow.toString(), "--keep-fd", "x"),
                "syscage-launch: --keep-fd: 'x' is not a file descriptor number\n" + USAGE_HINT);
        assertFailedBeforeExec(
                launchTouch(Map.of(), "--filter", allow.toString(), "--colour"),
                "syscage-launch: unknown option '--colour'\n" + USAGE_HINT);
        Result r = h.launch("--filter", allow.toString(), "--");
        assertEquals(125, r.code(), r.toString());
        assertEquals("syscage-launch: no program: give it after '--'\n" + USAGE_HINT, r.err());
    }

    @Test
    void keepingAnFdThatIsNotOpenFailsBeforeExec() throws Exception {
        assertFailedBeforeExec(
                launchTouch(Map.of(), "--filter", allow.toString(), "--keep-fd", "57"),
                "syscage-launch: --keep-fd 57: fcntl(F_GETFD): Bad file descriptor. (Hint: the fd is not open.)\n");
    }

    @Test
    void helpListsTheExitStatusesOnStdout() throws Exception {
        Result r = h.launch("--help");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("Usage: syscage-launch (--filter FILE | --filter-fd N)"), r.out());
        assertTrue(r.out().contains("""
                Exit status:
                  125  the launcher failed before exec (usage, filter, prctl or seccomp): PROG never ran
                  126  PROG was found but cannot be executed, or execve failed (the policy may deny it)
                  127  PROG was not found
                """), r.out());
        assertEquals("", r.err());
        Result v = h.launch("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().matches("syscage-launch \\d+\\.\\d+\\.\\d+.*\n"), v.out());
    }
}
