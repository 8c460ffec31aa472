package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.SyscallEvent;
import java.util.Optional;

/**
 * A call other than an open that changes the file tree at one path (unlink, unlinkat, rmdir,
 * mkdir, mkdirat), read once from the notification, and turned into what the supervisor does
 * in its place when a path rule decides the call: open the parent directory the rules saw
 * ({@code O_PATH}, no magic links), check its real path, then {@code unlinkat}/{@code mkdirat}
 * relative to that descriptor. The kernel never reads the program's path buffer again, so
 * another thread rewriting it cannot make the call reach another file. What cannot be done
 * exactly is refused with the errno in {@link Plan#errno}.
 *
 * @param op    what the call does
 * @param flags unlinkat's flags (AT_REMOVEDIR for rmdir), 0 for mkdir
 * @param mode  mkdir's mode, 0 otherwise
 */
record PathCall(Op op, long flags, long mode) {
    static final int AT_REMOVEDIR = 0x200;

    enum Op { UNLINK, MKDIR }

    /**
     * What to do: the parent directory (absolute, as the rules saw it) and the last component
     * (with a trailing slash the program wrote, which the kernel then judges), or an errno.
     */
    record Plan(String parent, String last, int errno) {
        static Plan fail(int errno) {
            return new Plan(null, null, errno);
        }

        /** The full path without a trailing slash: what a rule is asked about. */
        String path() {
            String name = last.endsWith("/") ? last.substring(0, last.length() - 1) : last;
            return parent.equals("/") ? "/" + name : parent + "/" + name;
        }
    }

    /** The call in this notification, or empty when it is none of these. */
    static Optional<PathCall> of(SyscallEvent e) {
        boolean x64 = e.arch() == Arch.X86_64;
        if (e.arch() != Arch.X86_64 && e.arch() != Arch.I386) {
            return Optional.empty();
        }
        int nr = e.nr();
        if (nr == (x64 ? 87 : 10)) { // unlink(path)
            return Optional.of(new PathCall(Op.UNLINK, 0, 0));
        }
        if (nr == (x64 ? 84 : 40)) { // rmdir(path)
            return Optional.of(new PathCall(Op.UNLINK, AT_REMOVEDIR, 0));
        }
        if (nr == (x64 ? 263 : 301)) { // unlinkat(dirfd, path, flags)
            return Optional.of(new PathCall(Op.UNLINK, e.arg(2) & 0xffffffffL, 0));
        }
        if (nr == (x64 ? 83 : 39)) { // mkdir(path, mode)
            return Optional.of(new PathCall(Op.MKDIR, 0, e.arg(1) & 0xffffffffL));
        }
        if (nr == (x64 ? 258 : 296)) { // mkdirat(dirfd, path, mode)
            return Optional.of(new PathCall(Op.MKDIR, 0, e.arg(2) & 0xffffffffL));
        }
        return Optional.empty();
    }

    /**
     * The mode to create with: the program's permission and sticky bits (what mkdir keeps; a
     * directory's set-group-id bit comes from its parent), less its umask (the supervisor's
     * umask applies too).
     */
    int createMode(int umask) {
        return (int) (mode & 01777L & ~(long) umask);
    }

    /**
     * The plan for the path the rules matched: {@code path} as the program gave it (its last
     * component and trailing slash matter), {@code resolved} the absolute path the decision saw.
     */
    Plan plan(Optional<String> path, Optional<String> resolved) {
        if (op == Op.UNLINK && (flags & ~AT_REMOVEDIR) != 0) {
            return Plan.fail(EINVAL);
        }
        if (path.isEmpty()) {
            return Plan.fail(EFAULT); // the supervisor could not read it: a bad pointer
        }
        String written = path.get();
        if (written.isEmpty()) {
            return Plan.fail(ENOENT);
        }
        String lastWritten = lastComponent(written);
        if (lastWritten.equals(".") || lastWritten.equals("..")) {
            return Plan.fail(dotErrno(lastWritten)); // the kernel's answers; the folded path would name another file
        }
        if (resolved.isEmpty() || !resolved.get().startsWith("/")) {
            return Plan.fail(ENOTDIR); // a dirfd that is no directory
        }
        String r = resolved.get();
        while (r.length() > 1 && r.endsWith("/")) {
            r = r.substring(0, r.length() - 1);
        }
        if (r.equals("/")) {
            return Plan.fail(op == Op.MKDIR ? EEXIST : (flags & AT_REMOVEDIR) != 0 ? EBUSY : EISDIR);
        }
        int slash = r.lastIndexOf('/');
        String parent = slash == 0 ? "/" : r.substring(0, slash);
        String last = r.substring(slash + 1) + (written.endsWith("/") ? "/" : "");
        return new Plan(parent, last, 0);
    }

    private int dotErrno(String dots) {
        if (op == Op.MKDIR) {
            return EEXIST;
        }
        if ((flags & AT_REMOVEDIR) == 0) {
            return EISDIR;
        }
        return dots.equals(".") ? EINVAL : ENOTEMPTY;
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
