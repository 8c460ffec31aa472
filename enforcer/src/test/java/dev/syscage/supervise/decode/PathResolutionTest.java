package dev.syscage.supervise.decode;

import static dev.syscage.supervise.decode.SyscallDecoderTest.AT_FDCWD_64;
import static dev.syscage.supervise.decode.SyscallDecoderTest.nr;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.DecodedCall;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** DecodedCall.path (as given) and resolvedPath (as the kernel would look it up, lexically). */
class PathResolutionTest {
    static final int AT_EMPTY_PATH = 0x1000;

    final FakeMemory mem = new FakeMemory()
            .cwd("/home/user")
            .fd(7, "/srv/data")
            .fd(5, "/usr/bin/ls")
            .fd(9, "pipe:[4711]");

    DecodedCall decode(String syscall, long... args) {
        return SyscallDecoderTest.X86_64.decode(nr(Arch.X86_64, syscall), args, mem);
    }

    static void assertPaths(String given, String resolved, DecodedCall call) {
        assertEquals(Optional.ofNullable(given), call.path(), "path");
        assertEquals(Optional.ofNullable(resolved), call.resolvedPath(), "resolvedPath");
    }

    @Test
    void aSecondPathIsResolvedWithItsOwnDirfd() {
        DecodedCall rename = decode("rename", mem.string("a"), mem.string("/etc/../etc/passwd"));
        assertPaths("a", "/home/user/a", rename);
        assertEquals(java.util.List.of(Optional.of("/etc/passwd")), rename.otherResolvedPaths());
        DecodedCall renameat = decode("renameat", 7, mem.string("x"), AT_FDCWD_64, mem.string("y"));
        assertPaths("x", "/srv/data/x", renameat);
        assertEquals(java.util.List.of(Optional.of("/home/user/y")), renameat.otherResolvedPaths());
        DecodedCall linkat = decode("linkat", AT_FDCWD_64, mem.string("x"), 7, mem.string("../y"), 0);
        assertEquals(java.util.List.of(Optional.of("/srv/y")), linkat.otherResolvedPaths());
        assertEquals(
                java.util.List.of(Optional.empty()),
                decode("rename", mem.string("a"), 0).otherResolvedPaths(),
                "an unreadable destination resolves to nothing");
        assertEquals(
                java.util.List.of(),
                decode("symlinkat", mem.string("/etc/passwd"), AT_FDCWD_64, mem.string("l"))
                        .otherResolvedPaths(),
                "a symlink's text is no path");
        assertPaths("l", "/home/user/l", decode("symlinkat", mem.string("/etc/passwd"), AT_FDCWD_64, mem.string("l")));
        assertEquals(
                java.util.List.of(),
                decode("openat", AT_FDCWD_64, mem.string("a"), 0, 0).otherResolvedPaths());
    }

    @Test
    void relativeToTheCwdWithAtFdcwd() {
        assertPaths(
                "docs/../notes.txt",
                "/home/user/notes.txt",
                decode("openat", AT_FDCWD_64, mem.string("docs/../notes.txt"), 0, 0));
    }

    @Test
    void relativeToTheCwdWhenTheCallHasNoDirfd() {
        assertPaths("./a//b/", "/home/user/a/b", decode("mkdir", mem.string("./a//b/"), 0755));
    }

    @Test
    void relativeToTheDirfd() {
        assertPaths("x/./y", "/srv/data/x/y", decode("openat", 7, mem.string("x/./y"), 0, 0));
    }

    @Test
    void absolutePathsIgnoreTheDirfd() {
        assertPaths("/etc//passwd", "/etc/passwd", decode("openat", 7, mem.string("/etc//passwd"), 0, 0));
    }

    @Test
    void dotDotStopsAtTheRoot() {
        assertPaths(
                "/../../etc/./passwd",
                "/etc/passwd",
                decode("openat", AT_FDCWD_64, mem.string("/../../etc/./passwd"), 0, 0));
        assertPaths("../../../../../etc", "/etc", decode("chdir", mem.string("../../../../../etc")));
        FakeMemory atRoot = new FakeMemory().cwd("/");
        assertPaths(
                "..",
                "/",
                SyscallDecoderTest.X86_64.decode(nr(Arch.X86_64, "chdir"), new long[] {atRoot.string("..")}, atRoot));
    }

    @Test
    void symlinksAreNotFollowed() {
        assertPaths("/tmp/link/../x", "/tmp/x", decode("openat", AT_FDCWD_64, mem.string("/tmp/link/../x"), 0, 0));
    }

    @Test
    void anEmptyPathWithAtEmptyPathIsTheDirfd() {
        assertPaths("", "/usr/bin/ls", decode("newfstatat", 5, mem.string(""), 0x7ffc0000L, AT_EMPTY_PATH));
        assertPaths("", "/usr/bin/ls", decode("execveat", 5, mem.string(""), 0, 0, AT_EMPTY_PATH));
        assertPaths("", "/home/user", decode("newfstatat", AT_FDCWD_64, mem.string(""), 0x7ffc0000L, AT_EMPTY_PATH));
    }

    @Test
    void anEmptyPathWithoutAtEmptyPathResolvesToNothing() {
        // the kernel fails it with ENOENT
        assertPaths("", null, decode("newfstatat", 5, mem.string(""), 0x7ffc0000L, 0));
        assertPaths("", null, decode("openat", AT_FDCWD_64, mem.string(""), 0, 0));
    }

    @Test
    void aDirfdThatIsNoDirectoryOrAnUnknownCwdResolvesToNothing() {
        assertPaths("x", null, decode("openat", 9, mem.string("x"), 0, 0));
        assertPaths("x", null, decode("openat", 8, mem.string("x"), 0, 0));
        mem.cwd(null);
        assertPaths("x", null, decode("openat", AT_FDCWD_64, mem.string("x"), 0, 0));
        assertPaths("/x", "/x", decode("openat", AT_FDCWD_64, mem.string("/x"), 0, 0));
    }

    @Test
    void twoPathCallsGiveTheFirstAgainstItsOwnDirfd() {
        assertPaths("a", "/srv/data/a", decode("linkat", 7, mem.string("a"), 5, mem.string("b"), 0));
        assertPaths("old", "/home/user/old", decode("rename", mem.string("old"), mem.string("new")));
        assertPaths("a", "/srv/data/a", decode("renameat2", 7, mem.string("a"), AT_FDCWD_64, mem.string("b"), 0));
    }

    @Test
    void aSymlinkCallGivesTheLinkNotItsTarget() {
        assertPaths("link", "/srv/data/link", decode("symlinkat", mem.string("../target"), 7, mem.string("link")));
    }

    @Test
    void aUnixSocketPathIsAPath() {
        byte[] sa = SyscallDecoderTest.unix("run/app.sock", 110);
        assertPaths("run/app.sock", "/home/user/run/app.sock", decode("connect", 3, mem.put(sa), 110));
        byte[] abstractName = {1, 0, 0, 'a'};
        assertPaths(null, null, decode("connect", 3, mem.put(abstractName), 4));
    }

    @Test
    void anUnreadablePathHasNoPath() {
        assertPaths(null, null, decode("openat", AT_FDCWD_64, 0xdeadbeefL, 0, 0));
        // the second path of a two-path call does not stand in for the first
        assertPaths(null, null, decode("linkat", 7, 0xdeadbeefL, 5, mem.string("b"), 0));
        assertPaths(null, null, decode("getpid"));
    }

    @Test
    void i386AtFdcwdIs32Bits() {
        FakeMemory m32 = new FakeMemory(4).cwd("/root");
        DecodedCall call = SyscallDecoderTest.I386.decode(
                nr(Arch.I386, "openat"), new long[] {0xffffff9cL, m32.string("f"), 0, 0}, m32);
        assertPaths("f", "/root/f", call);
    }

    @Test
    void foldingIsLexical() {
        assertEquals("/", PathResolver.fold("/"));
        assertEquals("/", PathResolver.fold("//"));
        assertEquals("/", PathResolver.fold("/a/.."));
        assertEquals("/", PathResolver.fold("/.."));
        assertEquals("/b", PathResolver.fold("/a/../b/."));
        assertEquals("/a/...", PathResolver.fold("/a/..."));
        assertEquals("/a/.b", PathResolver.fold("/a/./.b/"));
        assertEquals("/x/y", PathResolver.fold("/x//y///"));
    }

    /** Folding by components, the plain way: what fold's fast path must agree with. */
    private static String foldByComponents(String absolute) {
        java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
        for (String c : absolute.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(c);
            }
        }
        return "/" + String.join("/", parts);
    }

    @Test
    void foldAgreesWithComponentFoldingOnGeneratedPaths() {
        String[] pieces = {"/", "a", ".", "..", "...", ".b", "b.", "//", "x"};
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder p = new StringBuilder("/");
            int n = random.nextInt(8);
            for (int j = 0; j < n; j++) {
                p.append(pieces[random.nextInt(pieces.length)]);
            }
            String path = p.toString();
            assertEquals(foldByComponents(path), PathResolver.fold(path), path);
        }
    }
}
