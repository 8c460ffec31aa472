package dev.syscage.profiles;

import static dev.syscage.run.RunTest.syscage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.run.Python;
import dev.syscage.run.RunTest.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shipped profiles on the programs they are meant for: each runs its real workload through
 * {@code syscage run --profile NAME} and gets the expected output, and what it denies is denied
 * with the errno its header promises. The working directory is under /tmp, the one place the
 * read-only profile lets programs write.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ShippedProfilesRunTest {
    private Path dir;

    @BeforeEach
    void makeDir() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "syscage-profiles-");
    }

    @AfterEach
    void removeDir() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The real python3 binary: a version manager's shim is a shell script that forks. */
    /** Whether read-only runs get their read-only mounts here (they do as root, and in a user namespace). */
    private static final boolean MOUNTS = dev.syscage.run.Containment.probe(
                    Path.of(System.getProperty("syscage.native.dir", "../native/build"), "syscage-launch")
                            .toAbsolutePath())
            .namespaces();

    private static String python() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)").start();
        String exe = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor());
        return exe;
    }

    private Result run(String profile, String... command) throws IOException, InterruptedException {
        String[] args = new String[command.length + 6];
        System.arraycopy(
                new String[] {
                    "run",
                    "--profile",
                    profile,
                    "--log",
                    dir.resolve("audit.jsonl").toString(),
                    "--"
                },
                0,
                args,
                0,
                6);
        System.arraycopy(command, 0, args, 6, command.length);
        return syscage(dir, args);
    }

    @Test
    void strictStdioComputesOnOpenDescriptorsButOpensNoFile() throws Exception {
        Path file = Files.writeString(dir.resolve("secret.txt"), "secret\n");
        Result sum = run("strict-stdio", "sha256sum");
        assertEquals(0, sum.code(), sum.err());
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  -\n", sum.out());
        Result cat = run("strict-stdio", "cat", file.toString());
        assertEquals(1, cat.code(), cat.err());
        assertEquals("", cat.out());
        assertTrue(cat.err().contains("cat: " + file + ": Operation not permitted"), cat.err());
        String audit = Files.readString(dir.resolve("audit.jsonl"));
        assertTrue(
                audit.contains("\"resolved_path\":\"" + file + "\"") && audit.contains("\"errno_name\":\"EPERM\""),
                audit);
        Result touch = run("strict-stdio", "touch", dir.resolve("new").toString());
        assertNotEquals(0, touch.code(), touch.err());
        assertFalse(Files.exists(dir.resolve("new")));
    }

    @Test
    void noNetworkKeepsUnixSocketsAndRefusesInetOnes() throws Exception {
        Result r = run("no-network", python(), "-c", """
                import socket
                a, b = socket.socketpair(); a.send(b'ping'); print(b.recv(4).decode())
                socket.socket(socket.AF_UNIX).close(); print('unix ok')
                try:
                    socket.socket(socket.AF_INET).connect(('127.0.0.1', 9))
                except PermissionError as e:
                    print('inet', e.errno)
                try:
                    socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
                except PermissionError as e:
                    print('inet6', e.errno)
                """);
        assertEquals(0, r.code(), r.err());
        assertEquals("ping\nunix ok\ninet 1\ninet6 1\n", r.out());
    }

    @Test
    void noExecRunsThreadsButStartsNoOtherProgram() throws Exception {
        Result py = run("no-exec", python(), "-c", """
                import subprocess, threading
                t = threading.Thread(target=print, args=('thread',)); t.start(); t.join()
                try:
                    subprocess.run(['true'])
                except PermissionError as e:
                    print('spawn', e.errno)
                """);
        assertEquals(0, py.code(), py.err());
        assertEquals("thread\nspawn 1\n", py.out());
        Result sh = run("no-exec", "sh", "-c", "echo before; ls /; echo after");
        assertNotEquals(0, sh.code());
        assertEquals("before\n", sh.out());
        assertTrue(sh.err().contains("fork"), sh.err());
    }

    @Test
    void readOnlyWritesUnderTmpOnly() throws Exception {
        String stamp = "syscage-read-only-" + ProcessHandle.current().pid();
        Path etc = Path.of("/etc", stamp);
        Path home = Path.of(System.getProperty("user.home"), stamp);
        Result r = run(
                "read-only",
                "sh",
                "-c",
                "cd " + dir + " && echo data > f && mkdir d && cp -a f d/g"
                        + " && tar cf a.tar f d && mkdir x && tar xf a.tar -C x && ls x/d && cat x/d/g && rm -r x"
                        + " && echo gone > /dev/null; echo x > " + etc + "; echo x > " + home + "; mkdir " + home
                        + ".d; ls d; ls x");
        assertEquals(2, r.code(), r.err()); // the last command: ls x, which rm removed
        assertEquals("g\ndata\ng\n", r.out());
        // the read-only mount refuses them (EROFS), or Landlock where the run has no mount namespace (EACCES)
        String refused = MOUNTS ? "Read-only file system" : "Permission denied";
        assertTrue(r.err().contains("cannot create " + etc + ": " + refused), r.err());
        assertTrue(r.err().contains("cannot create " + home + ": " + refused), r.err());
        assertTrue(
                r.err().matches("(?s).*mkdir: cannot create directory .\\Q" + home + ".d\\E.: " + refused + "\n.*"),
                r.err());
        assertFalse(Files.exists(etc));
        assertFalse(Files.exists(home));
        Result py = run(
                "read-only",
                python(),
                "-c",
                "import os; print(len(os.listdir('/etc')) > 0)\n" + "try:\n    open('/etc/" + stamp
                        + "', 'w')\nexcept OSError as e:\n    print(e.errno == " + (MOUNTS ? 30 : 13) + ")");
        assertEquals("True\nTrue\n", py.out(), py.err());
        assertFalse(Files.exists(etc));
    }

    /**
     * rename and link are held to the rules at both ends: a file under /tmp cannot be moved or
     * linked out of it (EACCES: no right to make a file there), nor a file outside given a
     * second name under /tmp (EXDEV: Landlock's refer right, as across file systems).
     */
    @Test
    void readOnlyChecksWhereRenamesAndLinksGo() throws Exception {
        String stamp = "syscage-read-only-" + ProcessHandle.current().pid();
        Path etc = Path.of("/etc", stamp);
        Path home = Path.of(System.getProperty("user.home"), stamp);
        Path victim = Files.writeString(Files.createTempFile(Path.of("/var/tmp"), "syscage-victim", ""), "original\n");
        try {
            Result py = run(
                    "read-only",
                    python(),
                    "-c",
                    String.join(
                            "\n",
                            "import os",
                            "open('f', 'w').write('data')",
                            "os.symlink('" + victim + "', 's')",
                            Python.ERRNO,
                            "print(errno(os.rename, 'f', '" + etc + "'), errno(os.link, 'f', '" + home + "'),",
                            "      errno(os.rename, 'f', 'g'), errno(os.link, 'g', 'h'),",
                            "      sorted(n for n in os.listdir('.') if n in ('f', 'g', 'h')))",
                            // linkat(..., AT_SYMLINK_FOLLOW): a second name under /tmp for the file the link points to
                            "print(errno(os.link, 's', 'v', src_dir_fd=os.open('.', os.O_RDONLY)), os.path.exists('v'))"));
            assertEquals(0, py.code(), py.err());
            // with the read-only mounts /tmp is a mount of its own: a rename out of it is EXDEV, a link EROFS
            assertEquals((MOUNTS ? "18 30" : "13 13") + " 0 0 ['g', 'h']\n18 False\n", py.out(), py.err());
            assertFalse(Files.exists(etc));
            assertFalse(Files.exists(home));
            assertEquals("original\n", Files.readString(victim));
        } finally {
            Files.deleteIfExists(victim);
        }
    }

    /**
     * An open for writing through a symlink under /tmp that leads out: refused (EROFS) before the
     * file outside is created or emptied, in notify mode, where the supervisor makes the open.
     */
    @Test
    void readOnlyCreatesAndTruncatesNothingThroughSymlinksThatLeadOut() throws Exception {
        Path outside = Files.createTempDirectory(Path.of("/var/tmp"), "syscage-outside");
        try {
            Files.writeString(outside.resolve("exist"), "12345");
            Result r = run(
                    "read-only",
                    "sh",
                    "-c",
                    String.join(
                            "; ",
                            "cd " + dir,
                            "ln -s " + outside.resolve("exist") + " lnk",
                            "ln -s " + outside + " dlnk",
                            "ln -s " + outside.resolve("dangling") + " dang",
                            "true > lnk || echo truncate=refused",
                            "true > dlnk/created || echo create=refused",
                            "touch dlnk/touched || echo touch=refused",
                            "echo x >> dang || echo append=refused",
                            "ln -s made inside; echo y > inside && cat made"));
            assertEquals(0, r.code(), r.err());
            assertEquals("truncate=refused\ncreate=refused\ntouch=refused\nappend=refused\ny\n", r.out(), r.err());
            assertEquals("12345", Files.readString(outside.resolve("exist")));
            try (Stream<Path> s = Files.list(outside)) {
                assertEquals(List.of(outside.resolve("exist")), s.toList(), "a file was made outside /tmp");
            }
        } finally {
            try (Stream<Path> s = Files.walk(outside)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * The devices may be opened for writing, not removed, renamed, linked or changed (each call
     * here would leave them as they are if it were let through); a file held through an
     * {@code O_PATH} descriptor is judged by where it is when changed through /proc/self/fd/N.
     */
    @Test
    void readOnlyWritesToDevicesButLeavesThemAlone() throws Exception {
        Path outside = Files.writeString(Files.createTempFile(Path.of("/var/tmp"), "syscage-held", ""), "x");
        try {
            Result py = run(
                    "read-only",
                    python(),
                    "-c",
                    String.join(
                            "\n",
                            "import os",
                            Python.ERRNO,
                            "open('/dev/null', 'w').write('x')",
                            "print(errno(os.rename, '/dev/full', '/dev/full'), errno(os.chown, '/dev/null', 0, 0),",
                            "      errno(os.link, '/dev/null', 'n'), errno(os.truncate, '/dev/zero', 0))",
                            "open('f', 'w').close()",
                            "inside = os.open('f', os.O_PATH)",
                            "held = os.open('" + outside + "', os.O_PATH)",
                            "print(errno(os.chmod, '/proc/self/fd/%d' % inside, 0o600), errno(os.chmod, '/proc/self/fd/%d' % held, 0o600))"));
            assertEquals(0, py.code(), py.err());
            // rename of a device onto itself: the read-only mount (EROFS), or Landlock (EACCES); link out
            // of /dev: EXDEV; chown: EROFS (the mount, or the supervisor); truncate of a character device:
            // the kernel's own EINVAL
            assertEquals((MOUNTS ? "30" : "13") + " 30 18 22\n0 30\n", py.out(), py.err());
            assertEquals(
                    "rw-------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(outside)),
                    "createTempFile's mode, unchanged");
            assertTrue(Files.exists(Path.of("/dev/full")) && !Files.isRegularFile(Path.of("/dev/null")));
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    /** Every xattr call that changes a file by path, Linux 6.13's setxattrat and removexattrat included. */
    @Test
    void readOnlyChangesXattrsUnderTmpOnly() throws Exception {
        Path victim = Files.writeString(Files.createTempFile(Path.of("/var/tmp"), "syscage-victim", ""), "original\n");
        try {
            Result py = run(
                    "read-only",
                    python(),
                    "-c",
                    String.join(
                            "\n",
                            "import os",
                            Python.ERRNO,
                            Python.XATTRAT,
                            "open('f', 'w').close()",
                            "os.symlink('" + victim + "', 's')",
                            "print(errno(os.setxattr, 'f', 'user.a', b'1'), setxattrat('f', 'user.b', b'2'),",
                            "      sorted(os.listxattr('f')), removexattrat('f', 'user.a'), os.listxattr('f'))",
                            "print(errno(os.setxattr, '" + victim + "', 'user.a', b'1'), setxattrat('" + victim
                                    + "', 'user.b', b'2'),",
                            "      setxattrat('s', 'user.b', b'2'), removexattrat('s', 'user.c'), os.listxattr('"
                                    + victim + "'))"));
            assertEquals(0, py.code(), py.err());
            // through the symlink under /tmp: notify mode checks where it leads (EROFS)
            assertEquals("0 0 ['user.a', 'user.b'] 0 ['user.b']\n30 30 30 30 []\n", py.out(), py.err());
        } finally {
            Files.deleteIfExists(victim);
        }
    }

    @Test
    void buildRunsGitAndMakesACProgram() throws Exception {
        Files.writeString(
                dir.resolve("hello.c"), "#include <stdio.h>\nint main(void) { puts(\"hello, build\"); return 0; }\n");
        Files.writeString(dir.resolve("Makefile"), "hello: hello.c\n\tcc -O2 -o hello hello.c\n");
        Result make = run("build", "sh", "-c", "make -s && ./hello");
        assertEquals(0, make.code(), make.err());
        assertEquals("hello, build\n", make.out());
        Result git = run(
                "build",
                "sh",
                "-c",
                "git init -q repo && cd repo && cp ../hello.c . && git add hello.c"
                        + " && git -c user.name=T -c user.email=t@example.org commit -q -m first && git log --format=%s"
                        + " && git ls-files && tar cf ../repo.tar . && tar tf ../repo.tar | grep -c hello.c");
        assertEquals(0, git.code(), git.err());
        assertEquals("first\nhello.c\n1\n", git.out());
        Result chroot = run(
                "build",
                python(),
                "-c",
                "import os\ntry:\n    os.chroot('/')\nexcept PermissionError as e:\n    print(e.errno)");
        assertEquals("1\n", chroot.out(), chroot.err());
    }

    @Test
    void pythonRunsTheStandardLibrary() throws Exception {
        Result r = run("python", python(), "-c", """
                import json, sqlite3, subprocess, threading, hashlib, os
                db = sqlite3.connect(':memory:'); db.execute('create table t(x)'); db.execute('insert into t values (41)')
                row = db.execute('select x + 1 from t').fetchone()
                out = subprocess.run(['echo', 'child'], capture_output=True, text=True).stdout.strip()
                t = threading.Thread(target=lambda: None); t.start(); t.join()
                print(json.dumps({'row': row[0], 'child': out, 'sha': hashlib.sha1(b'').hexdigest()[:8]}))
                try:
                    os.mknod('node', 0o20600, os.makedev(1, 3))
                except PermissionError as e:
                    print('mknod', e.errno)
                """);
        assertEquals(0, r.code(), r.err());
        assertEquals("{\"row\": 42, \"child\": \"child\", \"sha\": \"da39a3ee\"}\nmknod 1\n", r.out());
    }

    @Test
    void shellRunsPipelinesAndCoreutils() throws Exception {
        Files.writeString(dir.resolve("words"), "pear\napple\nfig\n");
        Result r = run(
                "shell",
                "bash",
                "-c",
                "sort words | tr a-z A-Z | head -2; wc -l < words; ls | grep -c words;"
                        + " cat words | while read w; do printf '%s ' \"${#w}\"; done; echo; chroot / true || echo chroot denied");
        assertEquals(0, r.code(), r.err());
        assertEquals("APPLE\nFIG\n3\n1\n4 5 3 \nchroot denied\n", r.out());
        assertTrue(r.err().contains("Operation not permitted"), r.err());
    }
}
