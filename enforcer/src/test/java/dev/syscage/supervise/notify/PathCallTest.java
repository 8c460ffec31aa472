package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.SyscallEvent;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How an unlink, rmdir or mkdir becomes the supervisor's call relative to the parent directory. */
class PathCallTest {
    private static PathCall call(Arch arch, int nr, long... args) {
        long[] a = new long[6];
        System.arraycopy(args, 0, a, 0, args.length);
        return PathCall.of(new SyscallEvent(1, 0, 10, 10, arch, nr, a, 0, SyscallEvent.Source.NOTIFY, 0)).orElseThrow();
    }

    private static PathCall.Plan plan(PathCall c, String written, String resolved) {
        return c.plan(Optional.ofNullable(written), Optional.ofNullable(resolved));
    }

    @Test
    void theCallsAndTheirArgumentsOnBothArchitectures() {
        assertEquals(new PathCall(PathCall.Op.UNLINK, 0, 0), call(Arch.X86_64, 87));
        assertEquals(new PathCall(PathCall.Op.UNLINK, PathCall.AT_REMOVEDIR, 0), call(Arch.X86_64, 84));
        assertEquals(new PathCall(PathCall.Op.UNLINK, PathCall.AT_REMOVEDIR, 0), call(Arch.X86_64, 263, -100, 0, 0x200));
        assertEquals(new PathCall(PathCall.Op.MKDIR, 0, 0750), call(Arch.X86_64, 83, 0, 0750));
        assertEquals(new PathCall(PathCall.Op.MKDIR, 0, 0700), call(Arch.X86_64, 258, -100, 0, 0700));
        assertEquals(new PathCall(PathCall.Op.UNLINK, PathCall.AT_REMOVEDIR, 0), call(Arch.I386, 40));
        assertEquals(new PathCall(PathCall.Op.MKDIR, 0, 0755), call(Arch.I386, 296, -100, 0, 0755));
        assertEquals(Optional.empty(), PathCall.of(new SyscallEvent(1, 0, 1, 1, Arch.X86_64, 257, new long[6], 0,
                SyscallEvent.Source.NOTIFY, 0)), "openat is an open, not a path call");
    }

    @Test
    void theParentAndTheLastComponentKeepTheTrailingSlash() {
        PathCall rmdir = call(Arch.X86_64, 84);
        assertEquals(new PathCall.Plan("/tmp/a", "b/", 0), plan(rmdir, "b/", "/tmp/a/b"));
        assertEquals(new PathCall.Plan("/", "tmp", 0), plan(rmdir, "/tmp", "/tmp"));
        assertEquals("/tmp/a/b", plan(rmdir, "b/", "/tmp/a/b").path());
        assertEquals("/tmp", plan(rmdir, "/tmp", "/tmp").path());
        assertEquals(0750 & ~022, call(Arch.X86_64, 83, 0, 0750).createMode(022));
        assertEquals(01700, call(Arch.X86_64, 83, 0, 017700).createMode(0), "permission and sticky bits, as mkdir keeps");
    }

    @Test
    void whatCannotBeDoneExactlyGetsTheKernelsErrno() {
        PathCall unlink = call(Arch.X86_64, 87);
        PathCall rmdir = call(Arch.X86_64, 84);
        PathCall mkdir = call(Arch.X86_64, 83, 0, 0755);
        assertEquals(14, plan(unlink, null, null).errno(), "unreadable: EFAULT");
        assertEquals(2, plan(unlink, "", null).errno(), "empty: ENOENT");
        assertEquals(22, plan(rmdir, "/tmp/a/.", "/tmp/a").errno(), "rmdir .: EINVAL, not rmdir of the folded /tmp/a");
        assertEquals(39, plan(rmdir, "a/..", "/tmp").errno(), "rmdir ..: ENOTEMPTY");
        assertEquals(21, plan(unlink, "..", "/").errno(), "unlink ..: EISDIR");
        assertEquals(17, plan(mkdir, "x/./", "/tmp/x").errno(), "mkdir .: EEXIST");
        assertEquals(16, plan(rmdir, "/", "/").errno(), "rmdir /: EBUSY");
        assertEquals(20, plan(unlink, "x", "").errno(), "no resolvable directory: ENOTDIR");
        assertEquals(22, call(Arch.X86_64, 263, -100, 0, 0x100).plan(Optional.of("/tmp/x"), Optional.of("/tmp/x")).errno(),
                "unlinkat flags other than AT_REMOVEDIR: EINVAL");
    }
}
