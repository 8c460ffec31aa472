package dev.syscage.policy.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.syscage.run.RunTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exported profiles in real OCI runtimes: Debian's runc and crun (bin/run-tests installs them
 * with busybox-static). The test builds a root file system holding a static busybox in a temporary
 * directory, writes a bundle whose config.json carries the exported profile as
 * {@code linux.seccomp}, and runs it: the container starts, an allowed call works, a denied call
 * fails with the profile's errno. On a host with hybrid cgroups crun runs in a mount namespace
 * without the cgroup v2 mount ({@link #crunPrefix}). A runtime is skipped, with its own error, only
 * when it cannot run even a container without seccomp here (the probe: not root, no namespaces);
 * every container is deleted afterwards.
 */
class OciRuntimeTest {
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final long DEADLINE_SECONDS = 60;

    /**
     * The shipped container profile plus one deny: mkdir fails with EXDEV, which nothing else
     * returns. (Exported with --degrade errno: the shipped profile's Landlock sections stay behind.)
     */
    private static final String POLICY = """
            version: 1
            name: runtime-test
            include: [default]
            default: errno EPERM
            rules:
              - action: errno EXDEV
                syscalls: [mkdir, mkdirat]
            """;

    /** The README's tour policy without its Landlock sections: read-only opens stop runc's exec fifo. */
    private static final String TOUR = """
            version: 1
            name: web
            include: [default]
            default: errno EPERM
            rules:
              - action: errno EACCES
                syscalls: [openat]
                when: "(flags & O_ACCMODE) != O_RDONLY"
            """;

    @TempDir
    Path dir;

    private record Out(int code, String out, String err) {}

    @Test
    void runcRunsTheExportedProfile() throws Exception {
        runsTheExportedProfile("runc");
    }

    @Test
    void crunRunsTheExportedProfile() throws Exception {
        runsTheExportedProfile("crun");
    }

    /** What export warns about is what runc does: the tour policy's profile stops the container. */
    @Test
    void runcCannotStartAContainerWhoseProfileDeniesItsExecFifo() throws Exception {
        Out r = runTour("runc");
        assertNotEquals(0, r.code(), r.out() + r.err());
        assertTrue(!r.out().contains("started"), r.out());
        assertTrue(r.err().contains("exec fifo") && r.err().contains("permission denied"), r.err());
    }

    /**
     * crun installs the profile just before execve (its exec fifo was opened before), so the same
     * profile starts there: the warning names runc only.
     */
    @Test
    void crunStartsAContainerWhoseProfileDeniesRuncsExecFifo() throws Exception {
        Out r = runTour("crun");
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals("started\n", r.out(), r.err());
    }

    /** Exports the tour policy (checking the warning) and runs {@code echo started} under it. */
    private Out runTour(String runtime) throws Exception {
        Path bundle = bundle();
        probe(runtime, bundle);
        Path policy = dir.resolve("tour.yaml");
        Files.writeString(policy, TOUR);
        RunTest.Result export = RunTest.syscage(
                dir,
                "export",
                policy.toString(),
                "--degrade",
                "errno",
                "-o",
                dir.resolve("tour.json").toString());
        assertEquals(0, export.code(), export.err());
        assertTrue(
                export.err()
                        .contains(
                                "runc calls openat(AT_FDCWD, \"/proc/self/fd/N\", O_WRONLY|O_CLOEXEC)"
                                        + " to open its exec fifo after installing the profile, and the policy answers errno EACCES"),
                export.err());
        config(bundle, Files.readString(dir.resolve("tour.json")), "/bin/busybox", "echo", "started");
        return container(runtime, bundle);
    }

    private void runsTheExportedProfile(String runtime) throws Exception {
        Path bundle = bundle();
        probe(runtime, bundle);
        Path policy = dir.resolve("p.yaml");
        Files.writeString(policy, POLICY);
        RunTest.Result export = RunTest.syscage(
                dir,
                "export",
                policy.toString(),
                "--degrade",
                "errno",
                "-o",
                dir.resolve("p.json").toString());
        assertEquals(0, export.code(), export.err());
        assertTrue(!export.err().contains("would not start the container"), export.err());
        config(
                bundle,
                Files.readString(dir.resolve("p.json")),
                "/bin/busybox",
                "sh",
                "-c",
                "echo allowed-ok; mkdir /tmp/x; echo mkdir-status=$?");
        Out r = container(runtime, bundle);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("allowed-ok\n"), r.out() + r.err());
        assertTrue(r.out().contains("mkdir-status=1\n"), r.out() + r.err());
        assertTrue(r.err().contains("mkdir: can't create directory '/tmp/x': Invalid cross-device link"), r.err());
    }

    /** Runs a container without seccomp; skips the test, quoting the runtime, when that fails. */
    private void probe(String runtime, Path bundle) throws Exception {
        assumeTrue(
                Files.isExecutable(Path.of("/usr/sbin/" + runtime))
                        || Files.isExecutable(Path.of("/usr/bin/" + runtime)),
                runtime + " is not installed (bin/run-tests installs runc, crun and busybox-static)");
        config(bundle, null, "/bin/busybox", "true");
        Out r = container(runtime, bundle);
        assumeTrue(
                r.code() == 0,
                runtime + " cannot run a container on this machine (without seccomp): "
                        + r.err().strip());
    }

    private Path bundle() throws IOException {
        Path busybox = Path.of("/bin/busybox");
        assumeTrue(Files.isExecutable(busybox), "busybox-static is not installed (bin/run-tests installs it)");
        Path bundle = dir.resolve("bundle");
        Path rootfs = bundle.resolve("rootfs");
        for (String d : List.of("bin", "proc", "dev", "tmp")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Files.copy(busybox, rootfs.resolve("bin/busybox"));
        Files.createSymbolicLink(rootfs.resolve("bin/sh"), Path.of("busybox"));
        return bundle;
    }

    /** config.json: a root file system, /proc and tmpfs /dev and /tmp, new namespaces, the profile if any. */
    private static void config(Path bundle, String seccomp, String... args) throws IOException {
        StringBuilder argv = new StringBuilder();
        for (String a : args) {
            argv.append(argv.length() == 0 ? "" : ", ")
                    .append('"')
                    .append(a.replace("\\", "\\\\").replace("\"", "\\\""))
                    .append('"');
        }
        String json = """
                {"ociVersion": "1.0.2",
                 "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "args": [%s],
                   "env": ["PATH=/bin"], "cwd": "/", "noNewPrivileges": true},
                 "root": {"path": "rootfs", "readonly": false},
                 "hostname": "syscage-test",
                 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
                   {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]},
                   {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]}],
                 "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"},
                   {"type": "network"}]%s}}
                """.formatted(argv, seccomp == null ? "" : ",\n \"seccomp\": " + seccomp);
        Files.writeString(bundle.resolve("config.json"), json);
    }

    /** {@code RUNTIME --root STATE run --bundle B ID}, then {@code delete --force ID}, each with a deadline. */
    private Out container(String runtime, Path bundle) throws Exception {
        Path state = dir.resolve(runtime + "-state");
        Files.createDirectories(state);
        String id = "syscage-test-" + ProcessHandle.current().pid() + "-" + IDS.incrementAndGet();
        List<String> global = new ArrayList<>(runtime.equals("crun") ? crunPrefix() : List.of());
        global.addAll(List.of(runtime, "--root", state.toString()));
        List<String> run = new ArrayList<>(global);
        run.addAll(List.of("run", "--bundle", bundle.toString(), id));
        try {
            return exec(run);
        } finally {
            List<String> delete = new ArrayList<>(global);
            delete.addAll(List.of("delete", "--force", id));
            exec(delete);
        }
    }

    /**
     * crun supports cgroup v1 and the unified v2 hierarchy, not a hybrid host whose v2 mount
     * ({@code /sys/fs/cgroup/unified}) has controllers: it refuses as it sets up the container's
     * cgroup ("cgroups in hybrid mode not supported, drop all controllers from cgroupv2"), whatever
     * {@code --cgroup-manager} (the check comes before the manager). On such a host crun runs in a mount namespace of its own without
     * that mount, where it sees a v1 host; the host's mounts are untouched.
     */
    private static List<String> crunPrefix() throws IOException {
        Path controllers = Path.of("/sys/fs/cgroup/unified/cgroup.controllers");
        if (!Files.isReadable(controllers)
                || Files.readString(controllers).isBlank()
                || !Files.isExecutable(Path.of("/usr/bin/unshare"))) {
            return List.of(); // without unshare crun's own refusal reaches the probe, which quotes it
        }
        return List.of(
                "/usr/bin/unshare",
                "--mount",
                "--propagation",
                "private",
                "--",
                "sh",
                "-c",
                "umount /sys/fs/cgroup/unified && exec \"$@\"",
                "sh");
    }

    private Out exec(List<String> cmd) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            if (!p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError(String.join(" ", cmd) + " did not finish in " + DEADLINE_SECONDS + " s");
            }
            return new Out(
                    p.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
