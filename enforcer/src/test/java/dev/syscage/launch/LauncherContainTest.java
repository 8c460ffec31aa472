package dev.syscage.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.syscage.launch.LaunchHarness.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code syscage-launch --contain} and what it makes (native/launcher/contain.h): the PID
 * namespace under the launcher's init, the run's own /proc, the extra namespaces, read-only and
 * writable mounts, as root and as an unprivileged user (in a user namespace), and the stated
 * fallback where no namespace can be made.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherContainTest {
    @TempDir
    Path dir;

    private LaunchHarness h;
    private Path filter;

    @BeforeAll
    static void namespaces() {
        dev.syscage.run.Containment c = dev.syscage.run.Containment.probe(LaunchHarness.launcher());
        assumeTrue(c.namespaces(), "no namespaces for the launcher here: " + c.how());
    }

    @BeforeEach
    void setUp() throws IOException {
        h = new LaunchHarness(dir);
        filter = h.filter(LaunchHarness.ALLOW_ALL);
    }

    private Result contained(List<String> options, String script) throws Exception {
        List<String> args = new ArrayList<>(List.of("--filter", filter.toString(), "--contain"));
        args.addAll(options);
        args.addAll(List.of("--", "sh", "-c", script));
        return h.launch(args.toArray(String[]::new));
    }

    @Test
    void theProgramIsPid2UnderTheLaunchersInitWithItsOwnProc() throws Exception {
        Result r = contained(List.of(), "echo $$; cat /proc/1/comm; ls /proc | grep -c '^[0-9]'");
        assertEquals(0, r.code(), r.toString());
        String[] lines = r.out().split("\n");
        assertEquals("2", lines[0], r.toString());
        assertEquals("syscage-launch", lines[1], r.toString());
        assertTrue(Integer.parseInt(lines[2]) <= 4, "/proc shows more than the run's processes: " + r);
    }

    @Test
    void theExitStatusIsTheProgramsAndASignalDeathIs128PlusN() throws Exception {
        assertEquals(42, contained(List.of(), "exit 42").code());
        assertEquals(128 + 15, contained(List.of(), "kill -TERM $$").code());
    }

    @Test
    void pidOnlyKeepsTheCallersProcAndMounts() throws Exception {
        List<String> args = List.of(
                "--filter",
                filter.toString(),
                "--contain-pid-only",
                "--",
                "sh",
                "-c",
                "echo $$; readlink /proc/self; cat /proc/1/comm");
        Result r = h.launch(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        String[] lines = r.out().split("\n");
        assertEquals("2", lines[0], r.toString());
        assertFalse(lines[1].equals("2"), "/proc/self is the caller's view of the pid: " + r);
        assertFalse(lines[2].equals("syscage-launch"), "the caller's /proc/1 is its own init: " + r);
    }

    @Test
    void readOnlyMountsWithAWritableTreeBeneath() throws Exception {
        Path rw = Files.createDirectory(dir.resolve("rw"));
        Path outside = Files.writeString(dir.resolve("outside.txt"), "x");
        Result r = contained(
                List.of("--read-only", dir.toString(), "--writable", rw.toString()),
                "echo a > " + rw + "/new && chmod 600 " + rw + "/new && echo rw-ok;"
                        + " echo b >> " + outside + " || echo append-refused;"
                        + " chmod 600 " + outside + " || echo chmod-refused;"
                        + " touch -d 2001-01-01 " + outside + " || echo utime-refused;"
                        + " mkdir " + dir + "/sub || echo mkdir-refused");
        assertEquals(0, r.code(), r.toString());
        assertEquals("rw-ok\nappend-refused\nchmod-refused\nutime-refused\nmkdir-refused\n", r.out(), r.toString());
        assertTrue(r.err().contains("Read-only file system"), r.toString());
        assertEquals("x", Files.readString(outside));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(outside)));
        assertTrue(Files.exists(rw.resolve("new")));
        assertFalse(Files.exists(dir.resolve("sub")));
    }

    /** Mounts are made in the order given, shallowest first: a read-only path in a writable one stays read-only. */
    @Test
    void aReadOnlyPathBeneathAWritableOneStaysReadOnly() throws Exception {
        Path rw = Files.createDirectory(dir.resolve("rw"));
        Path ro = Files.createDirectory(rw.resolve("ro"));
        Result r = contained(
                List.of("--read-only", dir.toString(), "--writable", rw.toString(), "--read-only", ro.toString()),
                "touch " + rw + "/a && echo rw-ok; touch " + ro + "/b || echo ro-refused");
        assertEquals("rw-ok\nro-refused\n", r.out(), r.toString());
        assertFalse(Files.exists(ro.resolve("b")));
    }

    @Test
    void aNetworkNamespaceHasOnlyLoopbackAndItIsUp() throws Exception {
        Result r = contained(
                List.of("--unshare", "net,ipc,uts"),
                "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; cat /sys/class/net/lo/operstate /sys/class/net/lo/flags");
        assertEquals(0, r.code(), r.toString());
        String[] lines = r.out().split("\n");
        assertEquals("lo", lines[0], r.toString());
        assertEquals(1, Integer.decode(lines[lines.length - 1]) & 1, "lo is not up: " + r);
    }

    @Test
    void asAnUnprivilegedUserInAUserNamespace() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is not installed");
        assumeTrue(Files.readString(Path.of("/proc/self/status")).contains("Uid:\t0\t"), "needs root to become nobody");
        Path shared = Files.createDirectories(
                Path.of("/tmp", "syscage-contain-" + ProcessHandle.current().pid()));
        try {
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
            Path f = Files.copy(filter, shared.resolve("f.bpf"));
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
            List<String> nobody = List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
            Result probe =
                    h.run(concat(nobody, List.of(LaunchHarness.launcher().toString(), "--probe-contain")), Map.of());
            assumeTrue(probe.out().startsWith("namespaces user"), "no user namespaces for nobody here: " + probe);
            Result r = h.run(
                    concat(
                            nobody,
                            List.of(
                                    LaunchHarness.launcher().toString(),
                                    "--filter",
                                    f.toString(),
                                    "--contain",
                                    "--read-only",
                                    "/",
                                    "--writable",
                                    shared.toString(),
                                    "--",
                                    "sh",
                                    "-c",
                                    "id -u; echo $$; touch " + shared
                                            + "/mine && echo rw-ok; touch /var/tmp/no || echo ro-ok")),
                    Map.of());
            assertEquals(0, r.code(), r.toString());
            assertEquals("65534\n2\nrw-ok\nro-ok\n", r.out(), r.toString());
        } finally {
            try (var files = Files.list(shared)) {
                files.forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(shared);
        }
    }

    @Test
    void withoutNamespacesItFallsBackToASubreaperAndSaysSo() throws Exception {
        Map<String, String> refused = Map.of("SYSCAGE_LAUNCH_INJECT", "unshare:EPERM");
        Result r = h.launchWithEnv(refused, "--filter", filter.toString(), "--contain", "--", "sh", "-c", "echo $$");
        assertEquals(0, r.code(), r.toString());
        assertFalse(r.out().equals("2\n"), r.toString());
        assertTrue(
                r.err()
                        .contains(
                                "warning: cannot make a PID namespace (unshare(CLONE_NEWPID): Operation not permitted; "
                                        + "unshare(CLONE_NEWUSER): Operation not permitted): the run is contained by a child subreaper only"),
                r.toString());
        Result strict =
                h.launchWithEnv(refused, "--filter", filter.toString(), "--contain", "--unshare", "net", "--", "true");
        assertEquals(125, strict.code(), strict.toString());
        assertTrue(
                strict.err()
                        .contains(
                                "--unshare, --read-only and --writable need namespaces, which this process cannot make"),
                strict.toString());
    }

    @Test
    void badOptionsAreUsageErrors() throws Exception {
        assertUsage(
                "--writable /tmp: not beneath a --read-only path",
                "--contain",
                "--read-only",
                "/usr",
                "--writable",
                "/tmp");
        assertUsage("--read-only: 'tmp' is not an absolute path", "--contain", "--read-only", "tmp");
        assertUsage("--unshare: unknown namespace 'pid' (known: net, ipc, uts)", "--contain", "--unshare", "net,pid");
        assertUsage("--unshare, --read-only and --writable need --contain", "--read-only", "/");
        assertUsage("--read-only and --writable need a mount namespace", "--contain-pid-only", "--read-only", "/");
        assertUsage("--grace needs a tree to watch", "--grace", "3");
    }

    private void assertUsage(String message, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("--filter", filter.toString()));
        args.addAll(List.of(options));
        args.addAll(List.of("--", "true"));
        Result r = h.launch(args.toArray(String[]::new));
        assertEquals(125, r.code(), r.toString());
        assertTrue(r.err().contains(message), r.toString());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
