package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.syscage.nativeaccess.SeccompNotify;
import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.decode.FakeMemory;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How a call that changes the file tree becomes the supervisor's call relative to the parent directories. */
class PathCallTest {
    private static final FakeMemory MEM = new FakeMemory();

    private static PathCall call(Arch arch, int nr, long... args) {
        long[] a = new long[6];
        System.arraycopy(args, 0, a, 0, args.length);
        return PathCall.of(new SyscallEvent(1, 0, 10, 10, arch, nr, a, 0, SyscallEvent.Source.NOTIFY, 0), MEM)
                .orElseThrow();
    }

    private static PathCall.Plan plan(PathCall c, String written, String resolved) {
        return c.plan(Optional.ofNullable(written), Optional.ofNullable(resolved), List.of(), List.of());
    }

    private static PathCall.Plan plan2(PathCall c, String w1, String r1, String w2, String r2) {
        return c.plan(
                Optional.ofNullable(w1),
                Optional.ofNullable(r1),
                List.of(Optional.ofNullable(w2)),
                List.of(Optional.ofNullable(r2)));
    }

    @Test
    void theCallsAndTheirArgumentsOnBothArchitectures() {
        assertEquals(new PathCall(PathCall.Op.UNLINK, 0, 0, 0, null), call(Arch.X86_64, 87));
        assertEquals(new PathCall(PathCall.Op.UNLINK, SeccompNotify.AT_REMOVEDIR, 0, 0, null), call(Arch.X86_64, 84));
        assertEquals(
                new PathCall(PathCall.Op.UNLINK, SeccompNotify.AT_REMOVEDIR, 0, 0, null),
                call(Arch.X86_64, 263, -100, 0, 0x200));
        assertEquals(new PathCall(PathCall.Op.MKDIR, 0, 0750, 0, null), call(Arch.X86_64, 83, 0, 0750));
        assertEquals(new PathCall(PathCall.Op.MKDIR, 0, 0700, 0, null), call(Arch.X86_64, 258, -100, 0, 0700));
        assertEquals(new PathCall(PathCall.Op.MKNOD, 0, 010600, 0, null), call(Arch.X86_64, 259, -100, 0, 010600, 0));
        assertEquals(new PathCall(PathCall.Op.RENAME, 1, 0, 0, null), call(Arch.X86_64, 316, -100, 0, -100, 0, 1));
        assertEquals(
                new PathCall(PathCall.Op.LINK, 0x400, 0, 0, null), call(Arch.X86_64, 265, -100, 0, -100, 0, 0x400));
        assertEquals(
                new PathCall(PathCall.Op.SYMLINK, 0, 0, 0, "../target"),
                call(Arch.X86_64, 266, MEM.string("../target"), -100, 0));
        assertEquals(new PathCall(PathCall.Op.UNLINK, SeccompNotify.AT_REMOVEDIR, 0, 0, null), call(Arch.I386, 40));
        assertEquals(new PathCall(PathCall.Op.MKDIR, 0, 0755, 0, null), call(Arch.I386, 296, -100, 0, 0755));
        assertEquals(new PathCall(PathCall.Op.RENAME, 0, 0, 0, null), call(Arch.I386, 38));
        assertEquals(
                Optional.empty(),
                PathCall.of(
                        new SyscallEvent(1, 0, 1, 1, Arch.X86_64, 257, new long[6], 0, SyscallEvent.Source.NOTIFY, 0),
                        MEM),
                "openat is an open, not a path call");
    }

    @Test
    void theParentAndTheLastComponentKeepTheTrailingSlash() {
        PathCall rmdir = call(Arch.X86_64, 84);
        assertEquals(
                new PathCall.Target("/tmp/a", "b/", 0),
                plan(rmdir, "b/", "/tmp/a/b").first());
        assertEquals(
                new PathCall.Target("/", "tmp", 0), plan(rmdir, "/tmp", "/tmp").first());
        assertEquals("/tmp/a/b", plan(rmdir, "b/", "/tmp/a/b").first().path());
        assertEquals("/tmp", plan(rmdir, "/tmp", "/tmp").first().path());
        assertNull(plan(rmdir, "b", "/tmp/b").second());
        PathCall.Plan rename = plan2(call(Arch.X86_64, 82), "a", "/tmp/a", "/etc/x", "/etc/x");
        assertEquals(new PathCall.Target("/tmp", "a", 0), rename.first());
        assertEquals(new PathCall.Target("/etc", "x", 0), rename.second());
    }

    @Test
    void modesKeepWhatTheKernelKeepsLessTheUmask() {
        assertEquals(0750 & ~022, call(Arch.X86_64, 83, 0, 0750).createMode(022));
        assertEquals(01700, call(Arch.X86_64, 83, 0, 017700).createMode(0), "mkdir: permission and sticky bits");
        assertEquals(010600, call(Arch.X86_64, 133, 0, 010666, 0).createMode(066), "mknod: the file type stays");
    }

    @Test
    void whatCannotBeDoneExactlyGetsTheKernelsErrno() {
        PathCall unlink = call(Arch.X86_64, 87);
        PathCall rmdir = call(Arch.X86_64, 84);
        PathCall mkdir = call(Arch.X86_64, 83, 0, 0755);
        PathCall rename = call(Arch.X86_64, 82);
        assertEquals(14, plan(unlink, null, null).errno(), "unreadable: EFAULT");
        assertEquals(2, plan(unlink, "", null).errno(), "empty: ENOENT");
        assertEquals(22, plan(rmdir, "/tmp/a/.", "/tmp/a").errno(), "rmdir .: EINVAL, not rmdir of the folded /tmp/a");
        assertEquals(39, plan(rmdir, "a/..", "/tmp").errno(), "rmdir ..: ENOTEMPTY");
        assertEquals(21, plan(unlink, "..", "/").errno(), "unlink ..: EISDIR");
        assertEquals(17, plan(mkdir, "x/./", "/tmp/x").errno(), "mkdir .: EEXIST");
        assertEquals(16, plan(rmdir, "/", "/").errno(), "rmdir /: EBUSY");
        assertEquals(20, plan(unlink, "x", "").errno(), "no resolvable directory: ENOTDIR");
        assertEquals(16, plan2(rename, "a", "/tmp/a", "b/..", "/tmp").errno(), "rename to ..: EBUSY");
        assertEquals(14, plan2(rename, "a", "/tmp/a", null, null).errno(), "unreadable destination: EFAULT");
        assertEquals(
                22,
                call(Arch.X86_64, 263, -100, 0, 0x100)
                        .plan(Optional.of("/tmp/x"), Optional.of("/tmp/x"), List.of(), List.of())
                        .errno(),
                "unlinkat flags other than AT_REMOVEDIR: EINVAL");
        assertEquals(
                22,
                plan2(call(Arch.X86_64, 316, -100, 0, -100, 0, 8), "a", "/tmp/a", "b", "/tmp/b")
                        .errno(),
                "unknown renameat2 flags: EINVAL");
        assertEquals(
                1,
                plan2(call(Arch.X86_64, 265, 3, 0, -100, 0, 0x1000), "", "/tmp/a", "b", "/tmp/b")
                        .errno(),
                "linking the program's own descriptor (AT_EMPTY_PATH): EPERM");
        assertEquals(14, plan(call(Arch.X86_64, 88, 0, 0), "l", "/tmp/l").errno(), "unreadable symlink text: EFAULT");
        assertEquals(
                36,
                plan(call(Arch.X86_64, 88, MEM.string("x".repeat(5000)), 0), "l", "/tmp/l")
                        .errno(),
                "a symlink text of PATH_MAX or more: ENAMETOOLONG");
        assertEquals(
                84,
                plan(call(Arch.X86_64, 88, MEM.string("\uFFFD"), 0), "l", "/tmp/l")
                        .errno(),
                "a text that was not UTF-8: EILSEQ");
        assertEquals(
                84,
                plan(mkdir, "d\uFFFD", "/tmp/d\uFFFD").errno(),
                "a name that was not UTF-8 cannot be made under the name decoded: EILSEQ");
    }
}
