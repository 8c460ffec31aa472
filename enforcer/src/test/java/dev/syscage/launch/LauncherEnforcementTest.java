package dev.syscage.launch;

import static dev.syscage.launch.LaunchHarness.ALLOW_ALL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.launch.LaunchHarness.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the launcher leaves the program with, checked against the real kernel: the filter compiled
 * from a policy is in force (the kernel reports it, a denied syscall returns the policy's errno, a
 * kill rule on execve ends in SIGSYS), no_new_privs is set, and only the fds it hands on are open.
 */
class LauncherEnforcementTest {
    private static final int SIGSYS = 31;

    @TempDir
    Path dir;

    private LaunchHarness h;
    private Path allow;

    @BeforeEach
    void setUp() throws Exception {
        h = new LaunchHarness(dir);
        allow = h.filter(ALLOW_ALL);
    }

    private static String policy(String action, String syscalls) {
        return ALLOW_ALL + "rules:\n  - action: " + action + "\n    syscalls: [" + syscalls + "]\n";
    }

    @Test
    void kernelReportsFilterModeToTheProgram() throws Exception {
        Result r = h.launch("--filter", allow.toString(), "--", "grep", "Seccomp:", "/proc/self/status");
        assertEquals(0, r.code(), r.toString());
        assertEquals("Seccomp:\t2\n", r.out());
    }

    @Test
    void noNewPrivsIsSet() throws Exception {
        Result r = h.launch("--filter", allow.toString(), "--", "grep", "NoNewPrivs:", "/proc/self/status");
        assertEquals(0, r.code(), r.toString());
        assertEquals("NoNewPrivs:\t1\n", r.out());
    }

    @Test
    void deniedSyscallFailsWithThePolicysErrno() throws Exception {
        Path f = h.filter(policy("errno EROFS", "mkdir, mkdirat"));
        Path target = dir.resolve("made");
        Result r = h.launch("--filter", f.toString(), "--", "mkdir", target.toString());
        assertEquals(1, r.code(), r.toString());
        assertEquals("mkdir: cannot create directory '" + target + "': Read-only file system\n", r.err());
        assertFalse(Files.exists(target));
        // The same command without the rule does create it, so the errno came from the filter.
        assertEquals(
                0,
                h.launch("--filter", allow.toString(), "--", "mkdir", target.toString())
                        .code());
        assertTrue(Files.isDirectory(target));
    }

    @Test
    void execveDeniedWithErrnoIs126AndSaysThePolicyMayDenyIt() throws Exception {
        Path f = h.filter(policy("errno EPERM", "execve, execveat"));
        Result r = h.launch("--filter", f.toString(), "--", "/bin/true");
        assertEquals(126, r.code(), r.toString());
        assertEquals(
                "syscage-launch: /bin/true: execve: Operation not permitted (the policy may deny execve)\n", r.err());
    }

    @Test
    void execveKilledByThePolicyEndsInSigsys() throws Exception {
        Path f = h.filter(policy("kill", "execve, execveat"));
        Result r = h.launch("--filter", f.toString(), "--", "/bin/true");
        assertEquals(128 + SIGSYS, r.code(), r.toString());
        assertEquals("", r.err());
    }

    @Test
    void prctlDeniedByThePolicyStillCountsAsInForce() throws Exception {
        // The check after install runs under the filter: EPERM from prctl proves the filter works.
        Path f = h.filter(policy("errno EPERM", "prctl"));
        Result r = h.launch("--filter", f.toString(), "--", "sh", "-c", "echo ran");
        assertEquals(0, r.code(), r.toString());
        assertEquals("ran\n", r.out());
    }

    @Test
    void prctlAnsweringLikeAKernelWithoutSeccompFailsClosed() throws Exception {
        Path einval = h.filter(policy("errno EINVAL", "prctl"));
        Result r = h.launch("--filter", einval.toString(), "--", "sh", "-c", "echo ran");
        assertEquals(125, r.code(), r.toString());
        assertEquals("", r.out());
        assertEquals(
                "syscage-launch: prctl(PR_GET_SECCOMP): Invalid argument. (Hint: seccomp() succeeded, yet the "
                        + "kernel reports no filter, so the program was not run; a policy that makes prctl fail with EINVAL "
                        + "ends here too.)\n",
                r.err());

        Path zero = h.filter(policy("errno 0", "prctl"));
        Result z = h.launch("--filter", zero.toString(), "--", "sh", "-c", "echo ran");
        assertEquals(125, z.code(), z.toString());
        assertEquals("", z.out());
    }

    /** Runs the launcher from sh, so the shell can open fds for it first. */
    private Result viaShell(String redirects, String... launcherArgs) throws Exception {
        String script = "exec \"$0\" \"$@\" " + redirects;
        List<String> cmd = new java.util.ArrayList<>(
                List.of("sh", "-c", script, LaunchHarness.launcher().toString()));
        cmd.addAll(Arrays.asList(launcherArgs));
        return h.run(cmd, Map.of());
    }

    private static List<String> fds(Result r) {
        assertEquals(0, r.code(), r.toString());
        return Arrays.asList(r.out().trim().split("\n"));
    }

    @Test
    void inheritedFdsAreClosedUnlessKept() throws Exception {
        List<String> closed =
                fds(viaShell("7</dev/null 9</dev/null", "--filter", allow.toString(), "--", "ls", "/proc/self/fd"));
        assertTrue(closed.containsAll(List.of("0", "1", "2")), closed.toString());
        assertFalse(closed.contains("7"), closed.toString());
        assertFalse(closed.contains("9"), closed.toString());

        List<String> kept = fds(viaShell(
                "7</dev/null 9</dev/null",
                "--filter",
                allow.toString(),
                "--keep-fd",
                "7",
                "--",
                "ls",
                "/proc/self/fd"));
        assertTrue(kept.contains("7"), kept.toString());
        assertFalse(kept.contains("9"), kept.toString());
    }

    @Test
    void keptFdIsUsableByTheProgram() throws Exception {
        Path data = dir.resolve("data.txt");
        Files.writeString(data, "handed on\n");
        Result r = viaShell(
                "7<'" + data + "'", "--filter", allow.toString(), "--keep-fd", "7", "--", "sh", "-c", "cat <&7");
        assertEquals(0, r.code(), r.toString());
        assertEquals("handed on\n", r.out());
    }

    @Test
    void filterFdIsReadInstalledAndClosed() throws Exception {
        Path f = h.filter(policy("errno EROFS", "mkdir, mkdirat"));
        List<String> open = fds(viaShell("5<'" + f + "'", "--filter-fd", "5", "--", "ls", "/proc/self/fd"));
        assertFalse(open.contains("5"), open.toString());

        Path target = dir.resolve("made");
        Result r = viaShell("5<'" + f + "'", "--filter-fd", "5", "--", "mkdir", target.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().endsWith("Read-only file system\n"), r.err());
        assertFalse(Files.exists(target));
    }

    @Test
    void filterPathMayNameAnInheritedFdAsTheRunnerDoes() throws Exception {
        // syscage run passes a sealed memfd as /proc/PID/fd/N; /proc/self/fd/N takes the same path.
        Path f = h.filter(policy("errno EROFS", "mkdir, mkdirat"));
        Path target = dir.resolve("made");
        Result r = viaShell("5<'" + f + "'", "--filter", "/proc/self/fd/5", "--", "mkdir", target.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().endsWith("Read-only file system\n"), r.err());
        assertFalse(Files.exists(target));
    }

    @Test
    void filterFdThatIsNotOpenFailsBeforeExec() throws Exception {
        Path marker = dir.resolve("program-ran");
        Result r = h.launch("--filter-fd", "9", "--", "touch", marker.toString());
        assertEquals(125, r.code(), r.toString());
        assertEquals("syscage-launch: read(fd 9): Bad file descriptor\n", r.err());
        assertFalse(Files.exists(marker));
    }

    @Test
    void keepingTheFilterFdIsAUsageError() throws Exception {
        Result r = viaShell("5<'" + allow + "'", "--filter-fd", "5", "--keep-fd", "5", "--", "true");
        assertEquals(125, r.code(), r.toString());
        assertEquals(
                "syscage-launch: --keep-fd 5: that is the filter fd, which the launcher reads and closes\n"
                        + "Try 'syscage-launch --help'.\n",
                r.err());
    }
}
