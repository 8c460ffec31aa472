package dev.syscage.profiles;

import static dev.syscage.run.RunTest.syscageWithJvmOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.run.LandlockPlan;
import dev.syscage.run.Python;
import dev.syscage.run.RunTest.Result;
import dev.syscage.testing.PtraceAttach;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped profiles on a kernel without Landlock ({@code -Dsyscage.landlock.abi=0} plays one
 * on this kernel): their filesystem sections are carried by the filter and the supervisor's path
 * rules (SupervisorFallback), in notify and in trace mode, and {@code run} says so. The real
 * kernel runs the programs; only the Landlock domain is left out.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LandlockFallbackRunTest {
    private static final List<String> NO_LANDLOCK = List.of("-D" + LandlockPlan.ABI_PROPERTY + "=0");
    private static final String WARNING = "syscage: warning: this kernel has no Landlock: the filesystem section is"
            + " enforced by the supervisor's path rules instead (slower; see docs/policy.md)\n";
    private static final String GUARD = "the domain's own guard (no ptrace or /proc/PID/mem of processes outside it)";

    private Path dir;
    private Path outside;

    @BeforeEach
    void makeDirs() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "syscage-fallback-");
        outside = Files.createTempDirectory(Path.of("/var/tmp"), "syscage-fallback-outside-");
    }

    @AfterEach
    void removeDirs() throws IOException {
        for (Path d : List.of(dir, outside)) {
            try (Stream<Path> s = Files.walk(d)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private Result run(String mode, String profile, String... command) throws IOException, InterruptedException {
        List<String> args = new java.util.ArrayList<>(List.of(
                "run", "--profile", profile, "--log", dir.resolve("audit.jsonl").toString()));
        if (mode != null) {
            args.addAll(List.of("--mode", mode));
        }
        args.add("--");
        args.addAll(List.of(command));
        return syscageWithJvmOptions(NO_LANDLOCK, 120, dir, args.toArray(String[]::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {"notify", "trace"})
    void readOnlyWritesUnderTmpAndNowhereElse(String mode) throws Exception {
        PtraceAttach.assumeModeWorks(mode);
        String stamp = "syscage-fallback-" + ProcessHandle.current().pid();
        Path etc = Path.of("/etc", stamp);
        Path home = Path.of(System.getProperty("user.home"), stamp);
        Result r = run(
                mode,
                "read-only",
                "sh",
                "-c",
                "cd " + dir + " && echo data > f && mkdir d && cp -a f d/g"
                        + " && tar cf a.tar f d && mkdir x && tar xf a.tar -C x && ls x/d && cat x/d/g && rm -r x"
                        + " && echo gone > /dev/null; echo x > " + etc + "; echo x > " + home + "; mkdir " + home
                        + ".d; ls d");
        assertEquals(0, r.code(), r.err());
        assertEquals("g\ndata\ng\n", r.out());
        assertTrue(
                r.err()
                        .startsWith(WARNING + "syscage: warning: without Landlock these are NOT enforced: fs.make_sock"
                                + " by bind() of a UNIX socket, scope.abstract_unix_socket, scope.signal, " + GUARD
                                + "\n"),
                r.err());
        // EACCES, as Landlock would answer
        assertTrue(r.err().contains("cannot create " + etc + ": Permission denied"), r.err());
        assertTrue(r.err().contains("cannot create " + home + ": Permission denied"), r.err());
        assertTrue(
                r.err().matches("(?s).*mkdir: cannot create directory .\\Q" + home + ".d\\E.: Permission denied\n.*"),
                r.err());
        assertFalse(Files.exists(etc));
        assertFalse(Files.exists(home));
        assertFalse(Files.exists(Path.of(home + ".d")));
        assertTrue(Files.readString(dir.resolve("audit.jsonl")).contains("\"resolved_path\":\"" + etc + "\""));
    }

    /** Every way of making a file, tried outside /tmp and inside it: only inside works. */
    @ParameterizedTest
    @ValueSource(strings = {"notify", "trace"})
    void readOnlyCreatesNoFileOutsideTmp(String mode) throws Exception {
        PtraceAttach.assumeModeWorks(mode);
        Files.writeString(outside.resolve("exist"), "12345");
        Result py = run(
                mode,
                "read-only",
                "python3",
                "-c",
                String.join(
                        "\n",
                        "import os, stat",
                        Python.ERRNO,
                        "def tries(d):",
                        "    return [errno(lambda: open(d + '/w', 'w')), errno(os.mkdir, d + '/d'), errno(os.mkfifo, d + '/p'),",
                        "            errno(os.symlink, '/etc/passwd', d + '/s'), errno(os.link, 'f', d + '/l'),",
                        "            errno(os.mknod, d + '/n', stat.S_IFREG | 0o600), errno(os.truncate, d + '/exist', 0),",
                        "            errno(lambda: open(d + '/exist', 'a').write('x'))]",
                        "open('f', 'w').write('data')",
                        "open('" + outside.resolve("exist") + "').read()",
                        "print(tries('" + outside + "'))",
                        "open('exist', 'w').write('12345')",
                        "print(tries('.'))",
                        "print(errno(os.rename, 'f', '" + outside.resolve("moved")
                                + "'), errno(os.rename, 'f', 'g'))"));
        assertEquals(0, py.code(), py.err());
        assertEquals("[13, 13, 13, 13, 13, 13, 13, 13]\n[0, 0, 0, 0, 0, 0, 0, 0]\n13 0\n", py.out(), py.err());
        assertEquals("12345", Files.readString(outside.resolve("exist")));
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(List.of(outside.resolve("exist")), s.toList(), "a file was made outside /tmp");
        }
    }

    /**
     * In notify mode the supervisor makes an allowed open itself and checks where it really led:
     * a symlink under /tmp that leads out does not let a program write there (trace mode matches
     * the path as written, docs/policy.md).
     */
    @Test
    void readOnlyInNotifyModeFollowsSymlinksThatLeadOut() throws Exception {
        Files.writeString(outside.resolve("exist"), "12345");
        Result r = run(
                "notify",
                "read-only",
                "sh",
                "-c",
                String.join(
                        "; ",
                        "cd " + dir,
                        "ln -s " + outside.resolve("exist") + " lnk",
                        "ln -s " + outside + " dlnk",
                        "true > lnk || echo truncate=refused",
                        "true > dlnk/created || echo create=refused",
                        "mkdir dlnk/made || echo mkdir=refused",
                        "ln -s made inside; echo y > inside && cat made"));
        assertEquals(0, r.code(), r.err());
        assertEquals("truncate=refused\ncreate=refused\nmkdir=refused\ny\n", r.out(), r.err());
        assertEquals("12345", Files.readString(outside.resolve("exist")));
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(List.of(outside.resolve("exist")), s.toList(), "a file was made outside /tmp");
        }
    }

    /** The default profile governs device nodes alone: the filter refuses them, no supervisor is needed. */
    @Test
    void defaultRefusesDeviceNodesWithoutASupervisor() throws Exception {
        Result py = run(
                null,
                "default",
                "python3",
                "-c",
                String.join(
                        "\n",
                        "import os, stat",
                        Python.ERRNO,
                        "print(errno(os.mknod, 'blk', stat.S_IFBLK | 0o600, os.makedev(7, 0)),",
                        "      errno(os.mknod, 'chr', stat.S_IFCHR | 0o600, os.makedev(1, 3)),",
                        "      errno(os.mknod, 'fifo', stat.S_IFIFO | 0o600), errno(os.mknod, 'reg', 0o600),",
                        "      sorted(n for n in os.listdir('.') if n in ('blk', 'chr', 'fifo', 'reg')))"));
        assertEquals(0, py.code(), py.err());
        assertEquals("13 13 0 0 ['fifo', 'reg']\n", py.out(), py.err());
        assertEquals(
                WARNING + "syscage: warning: without Landlock these are NOT enforced: scope.abstract_unix_socket,"
                        + " scope.signal, " + GUARD + "\n",
                py.err());
        assertFalse(Files.exists(dir.resolve("audit.jsonl")), "nothing was sent to a supervisor");
    }
}
