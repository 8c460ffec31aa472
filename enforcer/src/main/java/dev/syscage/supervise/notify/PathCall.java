package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.TargetMemory;
import java.util.List;
import java.util.Optional;

/**
 * A call other than an open that adds or removes names in the file tree (unlink, rmdir, mkdir,
 * mknod, symlink, rename, link and their *at forms), read once from the notification, and
 * turned into what the supervisor does in its place when a path rule decides the call: open the
 * parent directory of each path the rules saw ({@code O_PATH}, no magic links), check its real
 * path, then make the {@code *at} call relative to those descriptors. The kernel never reads the
 * program's path buffers again, so another thread rewriting them cannot make the call reach
 * another file. What cannot be done exactly is refused with the errno in {@link Plan#errno}.
 *
 * @param op    what the call does
 * @param flags the call's flags (AT_REMOVEDIR for rmdir; renameat2's and linkat's own), else 0
 * @param mode  mkdir's and mknod's mode, else 0
 * @param dev   mknod's device number, else 0
 * @param text  symlink's text (what the link will point to), read once, else null
 */
record PathCall(Op op, long flags, long mode, long dev, String text) {
    /** RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT. */
    static final int RENAME_FLAGS = 1 | 2 | 4;

    private static final int PATH_MAX = 4096;
    /** What a byte sequence that is not UTF-8 decodes to: the name read is then not the program's. */
    private static final char UNDECODABLE = '\uFFFD';

    enum Op {
        UNLINK,
        MKDIR,
        MKNOD,
        SYMLINK,
        RENAME,
        LINK;

        /** Whether the call names a second path (where it goes). */
        boolean twoPaths() {
            return this == RENAME || this == LINK;
        }
    }

    /**
     * One path as the parent directory the rules saw and the last component (with a trailing
     * slash as written), or the errno the kernel gives a path that cannot be made so.
     */
    record Target(String parent, String last, int errno) {
        static Target fail(int errno) {
            return new Target(null, null, errno);
        }

        /** The full path without a trailing slash: what a rule is asked about. */
        String path() {
            return join(parent, name());
        }

        /** The last component without a trailing slash. */
        String name() {
            return last.endsWith("/") ? last.substring(0, last.length() - 1) : last;
        }

        static String join(String dir, String name) {
            return dir.equals("/") ? "/" + name : dir + "/" + name;
        }

        /** {@code path} (absolute, not "/", no trailing slash) as its parent directory and last component. */
        static Target split(String path) {
            int slash = path.lastIndexOf('/');
            return new Target(slash == 0 ? "/" : path.substring(0, slash), path.substring(slash + 1), 0);
        }
    }

    /** What to do: the call's path(s) ({@code second} only for rename and link), or an errno. */
    record Plan(Target first, Target second, int errno) {
        static Plan fail(int errno) {
            return new Plan(null, null, errno);
        }
    }

    /**
     * The call in this notification, or empty when it is none of these. Reads symlink's text from
     * the target (before the notification is checked with ID_VALID, like every read).
     */
    static Optional<PathCall> of(SyscallEvent e, TargetMemory memory) {
        if (e.arch() != Arch.X86_64 && e.arch() != Arch.I386) {
            return Optional.empty();
        }
        String name =
                SyscallTable.of(e.arch()).byNumber(e.nr()).map(Syscall::name).orElse("");
        long a0 = e.arg(0);
        return Optional.ofNullable(
                switch (name) {
                    case "unlink" -> new PathCall(Op.UNLINK, 0, 0, 0, null);
                    case "rmdir" -> new PathCall(Op.UNLINK, AT_REMOVEDIR, 0, 0, null);
                    case "unlinkat" -> new PathCall(Op.UNLINK, u32(e.arg(2)), 0, 0, null);
                    case "mkdir" -> new PathCall(Op.MKDIR, 0, u32(e.arg(1)), 0, null);
                    case "mkdirat" -> new PathCall(Op.MKDIR, 0, u32(e.arg(2)), 0, null);
                    case "mknod" -> new PathCall(Op.MKNOD, 0, u32(e.arg(1)), u32(e.arg(2)), null);
                    case "mknodat" -> new PathCall(Op.MKNOD, 0, u32(e.arg(2)), u32(e.arg(3)), null);
                    case "symlink", "symlinkat" ->
                        new PathCall(
                                Op.SYMLINK,
                                0,
                                0,
                                0,
                                a0 == 0 ? null : memory.readString(a0, PATH_MAX).orElse(null));
                    case "rename", "renameat" -> new PathCall(Op.RENAME, 0, 0, 0, null);
                    case "renameat2" -> new PathCall(Op.RENAME, u32(e.arg(4)), 0, 0, null);
                    case "link" -> new PathCall(Op.LINK, 0, 0, 0, null);
                    case "linkat" -> new PathCall(Op.LINK, u32(e.arg(4)), 0, 0, null);
                    default -> null;
                });
    }

    private static long u32(long v) {
        return v & 0xffffffffL;
    }

    /**
     * The mode to create with: for mkdir the permission and sticky bits (what mkdir keeps; a
     * directory's set-group-id bit comes from its parent), for mknod the file type and the
     * permission bits; in both less the program's umask (the supervisor's umask applies too).
     */
    int createMode(int umask) {
        long keep = op == Op.MKNOD ? 0177777L : 01777L;
        return (int) (mode & keep & ~(long) (umask & 0777));
    }

    /**
     * The plan for the paths the rules matched: as the program gave them (the last component and
     * a trailing slash matter) and resolved (what the decision saw); {@code others} are the second
     * path's, for rename and link.
     */
    Plan plan(
            Optional<String> path,
            Optional<String> resolved,
            List<Optional<String>> otherPaths,
            List<Optional<String>> otherResolved) {
        int flagError = flagError();
        if (flagError != 0) {
            return Plan.fail(flagError);
        }
        if (op == Op.SYMLINK && text == null) {
            return Plan.fail(EFAULT); // the link's text could not be read
        }
        if (op == Op.SYMLINK && text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= PATH_MAX) {
            return Plan.fail(ENAMETOOLONG);
        }
        if (op == Op.SYMLINK && text.indexOf(UNDECODABLE) >= 0) {
            return Plan.fail(EILSEQ);
        }
        if (op == Op.LINK && (flags & AT_EMPTY_PATH) != 0) {
            return Plan.fail(EPERM); // linking the program's own descriptor: not made for it
        }
        Target first = target(path, resolved);
        if (first.errno() != 0) {
            return Plan.fail(first.errno());
        }
        if (!op.twoPaths()) {
            return new Plan(first, null, 0);
        }
        Target second = otherPaths.isEmpty() ? Target.fail(EFAULT) : target(otherPaths.get(0), otherResolved.get(0));
        return second.errno() != 0 ? Plan.fail(second.errno()) : new Plan(first, second, 0);
    }

    private int flagError() {
        long allowed = switch (op) {
            case UNLINK -> AT_REMOVEDIR;
            case RENAME -> RENAME_FLAGS;
            case LINK -> AT_SYMLINK_FOLLOW | AT_EMPTY_PATH;
            default -> 0;
        };
        return (flags & ~allowed) != 0 ? EINVAL : 0;
    }

    private Target target(Optional<String> path, Optional<String> resolved) {
        if (path.isEmpty()) {
            return Target.fail(EFAULT); // the supervisor could not read it: a bad pointer
        }
        String written = path.get();
        if (written.isEmpty()) {
            return Target.fail(ENOENT);
        }
        if (written.indexOf(UNDECODABLE) >= 0) {
            return Target.fail(EILSEQ); // not UTF-8: the name the supervisor would use is not the program's
        }
        String lastWritten = lastComponent(written);
        if (lastWritten.equals(".") || lastWritten.equals("..")) {
            return Target.fail(dotErrno(lastWritten)); // the kernel's answer; the folded path names another file
        }
        if (resolved.isEmpty() || !resolved.get().startsWith("/")) {
            return Target.fail(ENOTDIR); // a dirfd that is no directory
        }
        String r = resolved.get();
        while (r.length() > 1 && r.endsWith("/")) {
            r = r.substring(0, r.length() - 1);
        }
        if (r.equals("/")) {
            return Target.fail(
                    switch (op) {
                        case UNLINK -> (flags & AT_REMOVEDIR) != 0 ? EBUSY : EISDIR;
                        case RENAME -> EBUSY;
                        default -> EEXIST;
                    });
        }
        Target t = Target.split(r);
        return written.endsWith("/") ? new Target(t.parent(), t.last() + "/", 0) : t;
    }

    private int dotErrno(String dots) {
        return switch (op) {
            case MKDIR, MKNOD, SYMLINK, LINK -> EEXIST;
            case RENAME -> EBUSY;
            case UNLINK -> (flags & AT_REMOVEDIR) == 0 ? EISDIR : dots.equals(".") ? EINVAL : ENOTEMPTY;
        };
    }

    private static String lastComponent(String p) {
        String s = p;
        while (s.length() > 1 && s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        int slash = s.lastIndexOf('/');
        return slash < 0 ? s : s.substring(slash + 1);
    }
}
