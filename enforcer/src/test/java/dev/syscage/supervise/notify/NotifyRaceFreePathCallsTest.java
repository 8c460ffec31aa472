package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.run.Python;
import dev.syscage.run.RunTest;
import dev.syscage.run.RunTest.Result;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notify mode makes unlink, rmdir and mkdir itself when a path rule decides them, relative to the
 * parent directory it checked: a second thread rewriting the path buffer cannot get a denied
 * file removed, a symlink on the way is judged by where it leads, the program's umask applies,
 * and "." and ".." get the kernel's answers instead of the folded path's.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class NotifyRaceFreePathCallsTest {
    private static final Pattern COUNTS =
            Pattern.compile("calls=(\\d+) done=(\\d+) refused=(\\d+) other=(\\d+) breach=(\\d)");

    @TempDir
    Path dir;
    /** Outside /tmp/**, where the rules deny. */
    private Path outside;

    @BeforeEach
    void files() throws IOException {
        outside = Files.createTempDirectory(Path.of("/var/tmp"), "syscage-paths");
        assertTrue(dir.startsWith("/tmp/"), dir.toString());
    }

    @AfterEach
    void clean() throws IOException {
        try (Stream<Path> s = Files.walk(outside)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private Path policy() throws IOException {
        Path p = dir.resolve("paths.yaml");
        Files.writeString(p, """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: notify
                    syscalls: [unlink, unlinkat, rmdir, mkdir, mkdirat, rename, renameat, renameat2, link, linkat,
                      symlink, symlinkat, mknod, mknodat, truncate, chmod, fchmodat, fchmodat2, chown, lchown,
                      fchownat, utime, utimes, futimesat, utimensat, setxattr, lsetxattr, removexattr, lremovexattr]
                supervise:
                  rules:
                    - syscalls: [unlink, mkdir, rename, link, symlink, mknod, truncate, chmod, chown, lchown, utime,
                        utimes, utimensat, setxattr, lsetxattr, removexattr, lremovexattr]
                      path: ["/var/tmp/**"]
                      decision: errno EACCES
                  default: allow
                """);
        return p;
    }

    private Result run(String mode, String... command) throws Exception {
        String[] args = new String[6 + command.length];
        System.arraycopy(new String[] {"run", "--mode", mode, "--policy", policy().toString(), "--"}, 0, args, 0, 6);
        System.arraycopy(command, 0, args, 6, command.length);
        return RunTest.syscage(120, dir, args);
    }

    private Matcher race(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = NotifyModeTest.testprog("unlinkrace").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Result r = run("notify", command);
        assertEquals(0, r.code(), r.err());
        Matcher m = COUNTS.matcher(r.out());
        assertTrue(m.find(), r.out() + r.err());
        assertEquals("0", m.group(5), "a path the rules deny was reached through an allowed-path rule: " + r.out());
        assertTrue(Long.parseLong(m.group(2)) > 0, "no allowed call succeeded: " + r.out());
        assertTrue(Long.parseLong(m.group(3)) > 0, "no call was refused: the buffer never switched: " + r.out());
        return m;
    }

    @Test
    void aThreadRewritingThePathNeverGetsADeniedFileRemoved() throws Exception {
        Path denied = Files.writeString(outside.resolve("keep"), "keep\n");
        race(dir.resolve("scratch").toString(), denied.toString(), "3000");
        assertTrue(Files.exists(denied));
    }

    @Test
    void aThreadRewritingTheDestinationNeverGetsAFileRenamedOutOfTheAllowedTree() throws Exception {
        Path denied = outside.resolve("moved");
        race("-r", dir.resolve("src").toString(), dir.resolve("dst").toString(), denied.toString(), "3000");
        assertFalse(Files.exists(denied));
    }

    @Test
    void aThreadRewritingThePathNeverGetsADeniedFileTruncated() throws Exception {
        Path denied = Files.writeString(outside.resolve("full"), "keep\n");
        race("-t", dir.resolve("scratch").toString(), denied.toString(), "3000");
        assertEquals("keep\n", Files.readString(denied));
    }

    @Test
    void truncateChmodChownUtimeAndXattrsFollowTheRulesWhereverTheSymlinksLead() throws Exception {
        Files.createSymbolicLink(dir.resolve("link"), outside);
        Path victim = Files.writeString(outside.resolve("victim"), "victim\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r-----"));
        Files.createSymbolicLink(dir.resolve("tovictim"), victim);
        Result r = run(
                "notify",
                "python3",
                "-c",
                String.join(
                        "\n",
                        "import os",
                        "open('f', 'w').write('data')",
                        Python.ERRNO,
                        "me = (os.getuid(), os.getgid())",
                        "print(errno(os.truncate, 'f', 2), os.path.getsize('f'),",
                        "      errno(os.truncate, '" + victim + "', 0), errno(os.truncate, 'link/victim', 0),",
                        "      errno(os.truncate, 'tovictim', 0), errno(os.truncate, '.', 0))",
                        "print(errno(os.chmod, 'f', 0o640), oct(os.stat('f').st_mode & 0o777),",
                        "      errno(os.chmod, '" + victim + "', 0o777), errno(os.chmod, 'tovictim', 0o777))",
                        "print(errno(os.chown, 'f', *me), errno(os.chown, 'f', -1, -1), errno(os.chown, 'tovictim', *me),",
                        "      errno(os.lchown, 'tovictim', *me), errno(os.chown, '" + victim + "', *me))",
                        "print(errno(os.utime, 'f', (1, 2)), int(os.stat('f').st_mtime), errno(os.utime, 'f'),",
                        "      errno(os.utime, '" + victim + "', (1, 2)), errno(os.utime, 'tovictim', (1, 2)),",
                        "      errno(os.utime, 'tovictim', (1, 2), follow_symlinks=False), int(os.lstat('tovictim').st_mtime))",
                        "print(errno(os.setxattr, 'f', 'user.k', b'v'), os.getxattr('f', 'user.k'),",
                        "      errno(os.setxattr, '" + victim
                                + "', 'user.k', b'v'), errno(os.setxattr, 'tovictim', 'user.k', b'v'),",
                        "      errno(os.removexattr, 'tovictim', 'user.k'), errno(os.removexattr, 'f', 'user.k'), os.listxattr('f'))"));
        assertEquals(0, r.code(), r.err());
        assertEquals(
                "0 2 13 13 13 21\n0 0o640 13 13\n0 0 13 0 13\n0 2 0 13 13 0 2\n0 b'v' 13 13 13 0 []\n",
                r.out(),
                r.err());
        assertEquals("victim\n", Files.readString(victim));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)));
        assertTrue(Files.getLastModifiedTime(victim).toMillis() > 2000, "the victim's times were changed");
    }

    @Test
    void setxattratAndRemovexattratAreRoutedWithTheirFamiliesAndMadeOnTheFileTheRulesSaw() throws Exception {
        // the policy names neither: the rules on setxattr and removexattr cover them as siblings
        Path victim = Files.writeString(outside.resolve("victim"), "victim\n");
        UserDefinedFileAttributeView attrs = Files.getFileAttributeView(victim, UserDefinedFileAttributeView.class);
        attrs.write("k", ByteBuffer.wrap("old".getBytes(StandardCharsets.UTF_8)));
        Files.createSymbolicLink(dir.resolve("tovictim"), victim);
        Result r = run(
                "notify",
                "python3",
                "-c",
                String.join(
                        "\n",
                        "import os",
                        Python.XATTRAT,
                        "open('f', 'w').close()",
                        "fd = os.open('f', os.O_RDONLY)",
                        "print(setxattrat('f', 'user.k', b'v'), os.getxattr('f', 'user.k'), setxattrat('tovictim', 'user.k', b'v'),",
                        "      setxattrat('" + victim
                                + "', 'user.k', b'v'), setxattrat('tovictim', 'user.k', b'v', at_flags=0x100))",
                        "print(setxattrat('f', 'user.k', b'w', usize=24), os.getxattr('f', 'user.k'),",
                        "      setxattrat('f', 'user.k', b'v', usize=24, more=1), setxattrat('f', 'user.k', b'v', usize=8),",
                        "      setxattrat('f', 'user.k', b'v', at_flags=0x4), setxattrat('', 'user.k', b'v', at_flags=0x1000, dfd=fd))",
                        "print(removexattrat('tovictim', 'user.k'), removexattrat('f', 'user.k'), os.listxattr('f'),",
                        "      removexattrat('f', 'user.k'))"));
        assertEquals(0, r.code(), r.err());
        // a user.* attribute on a symlink itself: EPERM, as the kernel answers; the held
        // descriptor (AT_EMPTY_PATH) is refused with EPERM, as documented; ENODATA once removed
        assertEquals("0 b'v' 13 13 1\n0 b'w' 7 22 22 1\n13 0 [] 61\n", r.out(), r.err());
        ByteBuffer kept = ByteBuffer.allocate(16);
        attrs.read("k", kept);
        assertEquals(
                "old",
                new String(kept.array(), 0, kept.position(), StandardCharsets.UTF_8),
                "the attribute outside the allowed tree was changed");
    }

    @Test
    void renameLinkSymlinkAndMknodFollowTheRulesAtBothEnds() throws Exception {
        Files.createSymbolicLink(dir.resolve("link"), outside);
        Path victim = Files.writeString(outside.resolve("victim"), "v\n");
        Files.createSymbolicLink(dir.resolve("tovictim"), victim);
        Result r = run(
                "notify",
                "/bin/sh",
                "-c",
                String.join(
                        "; ",
                        "umask 077",
                        "touch a && mv a b && echo mv=ok",
                        "mv b " + outside.resolve("b") + " 2>/dev/null || echo mv-out=refused",
                        "mv b link/b 2>/dev/null || echo mv-via-link=refused",
                        "ln b c && echo ln=ok",
                        "ln b " + outside.resolve("c") + " 2>/dev/null || echo ln-out=refused",
                        "ln -L tovictim v 2>/dev/null || echo ln-follow-out=refused",
                        "ln -s /etc/hostname s && readlink s",
                        "ln -s x " + outside.resolve("s") + " 2>/dev/null || echo symlink-out=refused",
                        "mkfifo p && test -p p && echo fifo=ok",
                        "mkfifo " + outside.resolve("p") + " 2>/dev/null || echo fifo-out=refused"));
        assertEquals(0, r.code(), r.err());
        assertEquals(
                "mv=ok\nmv-out=refused\nmv-via-link=refused\nln=ok\nln-out=refused\nln-follow-out=refused\n"
                        + "/etc/hostname\nsymlink-out=refused\nfifo=ok\nfifo-out=refused\n",
                r.out(),
                r.err());
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(
                    List.of("victim"), s.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals(1, (int) Files.getAttribute(victim, "unix:nlink"), "a second name was made for the victim");
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("p"))),
                "mkfifo's 0666 less the program's umask 077");
        assertTrue(Files.exists(dir.resolve("b")) && Files.exists(dir.resolve("c")) && !Files.exists(dir.resolve("v")));
    }

    @Test
    void mkdirAndRmdirFollowTheRulesTheUmaskAndTheKernelsDotAnswers() throws Exception {
        Files.createDirectory(outside.resolve("sub"));
        Files.createSymbolicLink(dir.resolve("link"), outside);
        Result r = run(
                "notify",
                "/bin/sh",
                "-c",
                String.join(
                        "; ",
                        "umask 077",
                        "mkdir made && echo made=ok",
                        "mkdir made/inner && rmdir made/inner/ && echo inner=ok",
                        "mkdir " + outside.resolve("new") + " 2>/dev/null || echo outside=refused",
                        "rmdir link/sub 2>/dev/null || echo link=refused",
                        "rmdir made/. 2>&1 | grep -q 'Invalid argument' && echo dot=EINVAL",
                        "touch made/f && rm made/f && echo rm=ok"));
        assertEquals(0, r.code(), r.err());
        assertEquals("made=ok\ninner=ok\noutside=refused\nlink=refused\ndot=EINVAL\nrm=ok\n", r.out(), r.err());
        assertEquals(
                "rwx------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("made"))),
                "the program's umask 077 did not apply");
        assertFalse(Files.exists(outside.resolve("new")));
        assertTrue(Files.isDirectory(outside.resolve("sub")), "rmdir through a symlink reached the denied tree");
    }
}
