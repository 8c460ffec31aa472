package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import dev.syscage.supervise.Decision;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The open the supervisor makes in the program's place, checked before anything is touched: a
 * symlink under an allowed tree must not let {@code O_CREAT} make, or {@code O_TRUNC} empty, a
 * file outside it, nor an open with side effects reach a file the rules deny.
 *
 * <ol>
 *   <li>The path is looked up {@code O_PATH} (no side effects; following symlinks as the open
 *       would), and the real path of what was found is put to the rules where it is not the path
 *       they decided on. Only then is the file opened, through {@code /proc/self/fd/N}, which is
 *       that inode whatever its name leads to by now, with the program's flags ({@code O_TRUNC}
 *       included; {@code O_CREAT} has nothing left to create).
 *   <li>A file that does not exist, with {@code O_CREAT}: its parent directory is looked up and
 *       checked the same way, and the file is made relative to it with {@code O_NOFOLLOW}. Where
 *       the last component is a symlink that leads nowhere (which the kernel would follow and
 *       create), the place it leads to is taken through both steps again, at most 40 times.
 * </ol>
 *
 * The supervisor thread owns it, as it owns the {@link FdInjector}.
 */
final class RaceFreeOpen {
    private static final long O_EXCL = 0200;
    private static final long O_NONBLOCK = 04000;
    private static final long O_ACCMODE = 03;
    private static final long O_RDWR = 02;
    private static final int MAX_LINKS = 40;

    /**
     * What became of the open: a file to give the program ({@code fd} ≥ 0), an errno (as
     * {@code -fd}), or the rules' answer for a real path they do not allow ({@code refused}).
     */
    record Result(int fd, Decision refused, boolean gone, boolean fifo) {
        Result(int fd, Decision refused) {
            this(fd, refused, false, false);
        }

        /**
         * {@code fd} is the checked {@code O_PATH} lookup of a FIFO whose open would block until
         * its other end is opened: to be opened off the supervisor thread ({@link FifoOpens}).
         */
        static Result fifo(int lookup) {
            return new Result(lookup, null, false, true);
        }

        static Result errno(int errno) {
            return new Result(-errno, null);
        }

        /** The call went away (its thread died, or it was interrupted) before anything was opened. */
        static final Result GONE = new Result(-ENOENT, null, true, false);
    }

    private final FdInjector injector;
    /** The rules' answer for a real path, not the one they decided on. */
    private final Function<String, Decision> rules;
    /** Whether the call is still waiting (ID_VALID), asked just before the open that has effects. */
    private final BooleanSupplier stillWaiting;

    RaceFreeOpen(FdInjector injector, Function<String, Decision> rules, BooleanSupplier stillWaiting) {
        this.injector = injector;
        this.rules = rules;
        this.stillWaiting = stillWaiting;
    }

    /** Opens what {@code plan} names, as {@code call} asks; {@code plan.errno()} must be 0. */
    Result open(OpenCall call, OpenCall.Plan plan) {
        long flags = plan.flags();
        // O_PATH ignores O_CREAT, as O_TMPFILE has its own meaning for it
        boolean creates = (flags & OpenCall.O_CREAT) != 0 && (flags & OpenCall.O_PATH) == 0 && !call.tmpfile();
        boolean exclusive = creates && (flags & O_EXCL) != 0;
        boolean noFollow = (flags & OpenCall.O_NOFOLLOW) != 0;
        String path = plan.path();
        if (creates && (flags & OpenCall.O_DIRECTORY) != 0) {
            return Result.errno(EINVAL); // the kernel's answer to O_CREAT|O_DIRECTORY (Linux 6.4+)
        }
        if (creates && path.endsWith("/")) {
            return Result.errno(EISDIR); // O_CREAT of "name/", whatever is there
        }
        for (int hop = 0; hop <= MAX_LINKS; hop++) {
            // O_CREAT|O_EXCL never follows a symlink in the last component: it fails with EEXIST
            long lookup = OpenCall.O_PATH
                    | OpenCall.O_CLOEXEC
                    | (flags & OpenCall.O_DIRECTORY)
                    | (noFollow || exclusive ? OpenCall.O_NOFOLLOW : 0);
            int found = injector.openat2(path, lookup, 0, plan.resolve());
            if (found >= 0) {
                return existing(found, path, hop, plan, flags, creates, noFollow);
            }
            if (found != -ENOENT || !creates) {
                return Result.errno(-found);
            }
            Step made = create(path, hop, plan, flags, exclusive, noFollow);
            if (made.result() != null) {
                return made.result();
            }
            path = made.next();
        }
        return Result.errno(ELOOP);
    }

    /** A created file's result, or the path a dangling symlink in its place leads to. */
    private record Step(Result result, String next) {}

    /** {@code found} ({@code O_PATH}) is what the open reaches: check it, then open it for real. */
    private Result existing(
            int found, String path, int hop, OpenCall.Plan plan, long flags, boolean creates, boolean noFollow) {
        boolean exclusive = creates && (flags & O_EXCL) != 0;
        boolean keep = false;
        try {
            Decision d = check(found, path, hop, plan.ownFile() && hop == 0);
            if (d.kind() != Decision.Kind.ALLOW) {
                return new Result(-1, d);
            }
            if (exclusive) {
                return Result.errno(EEXIST);
            }
            if ((flags & OpenCall.O_PATH) != 0) { // (O_PATH ignores O_CREAT: creates is false)
                keep = true;
                return new Result(found, null); // what the program asked for is this lookup
            }
            boolean mayBlock = (flags & O_NONBLOCK) == 0 && (flags & O_ACCMODE) != O_RDWR;
            // the file type, asked once, and only when one of the answers below depends on it
            int type = creates || noFollow || mayBlock ? injector.fileType(found) : 0;
            if (creates && type == FdInjector.S_IFDIR) {
                return Result.errno(EISDIR); // the kernel's answer to O_CREAT of a directory
            }
            if (noFollow && type == FdInjector.S_IFLNK) {
                return Result.errno(ELOOP);
            }
            if (mayBlock && type == FdInjector.S_IFIFO) {
                keep = true;
                return Result.fifo(found); // its open waits for the other end: not on this thread
            }
            if (!stillWaiting.getAsBoolean()) {
                return Result.GONE;
            }
            int fd = injector.reopen(found, flags & ~(OpenCall.O_CREAT | O_EXCL | OpenCall.O_NOFOLLOW), plan.mode());
            return fd >= 0 ? new Result(fd, null) : Result.errno(-fd);
        } finally {
            if (!keep) {
                FdInjector.closeQuietly(found);
            }
        }
    }

    /**
     * Creates the last component of {@code path} in its parent directory, checked first; with
     * {@code O_EXCL|O_NOFOLLOW}, so that only a new file is ever made here and a symlink there is
     * never followed by the kernel. When one is found (and the program's open would follow it),
     * the path it leads to comes back as {@link Step#next}; when anything else has appeared there
     * since the lookup (another process made it: a file, a FIFO), the path itself, to be looked
     * up and checked again.
     */
    private Step create(String path, int hop, OpenCall.Plan plan, long flags, boolean exclusive, boolean noFollow) {
        PathCall.Target split = PathCall.Target.split(path);
        String last = split.last();
        int dir = injector.openat2(
                split.parent(), OpenCall.O_PATH | OpenCall.O_DIRECTORY | OpenCall.O_CLOEXEC, 0, plan.resolve());
        if (dir < 0) {
            return new Step(Result.errno(-dir), null);
        }
        try {
            Optional<String> realDir = injector.realPath(dir);
            if (realDir.isEmpty()) {
                return new Step(new Result(-1, Decision.errno(EACCES, "real path unknown")), null);
            }
            String target = PathCall.Target.join(realDir.get(), last);
            Decision d = hop == 0 && target.equals(path) ? Decision.allow("") : rules.apply(target);
            if (d.kind() != Decision.Kind.ALLOW) {
                return new Step(new Result(-1, d), null);
            }
            if (!stillWaiting.getAsBoolean()) {
                return new Step(Result.GONE, null);
            }
            int fd = injector.openat(dir, last, flags | O_EXCL | OpenCall.O_NOFOLLOW, plan.mode());
            if (fd >= 0) {
                return new Step(new Result(fd, null), null);
            }
            if (fd != -EEXIST || exclusive) {
                return new Step(Result.errno(-fd), null);
            }
            Optional<String> text = injector.readlinkat(dir, last);
            if (text.isEmpty()) {
                return new Step(null, path); // no symlink: something appeared since the lookup; look again
            }
            if (noFollow || (plan.resolve() & RESOLVE_NO_SYMLINKS) != 0) {
                return new Step(Result.errno(ELOOP), null);
            }
            if (text.get().isEmpty()) {
                return new Step(Result.errno(ENOENT), null);
            }
            if (text.get().indexOf('\uFFFD') >= 0) {
                return new Step(Result.errno(EILSEQ), null); // not UTF-8: the decoded name is another one
            }
            String next = text.get().startsWith("/") ? text.get() : PathCall.Target.join(realDir.get(), text.get());
            return new Step(null, next);
        } finally {
            FdInjector.closeQuietly(dir);
        }
    }

    /**
     * Allow when {@code found} is where the rules were asked about (the first lookup of the
     * program's own path), or a file without a path that the program holds already ({@code own}:
     * {@code /proc/TGID/fd/N} of a pipe or socket); otherwise what the rules say about its real
     * path (a file the program holds, reopened perhaps for writing, is judged by where it is).
     */
    Decision check(int found, String path, int hop, boolean own) {
        Optional<String> real = injector.realPath(found);
        if (real.isEmpty()) {
            return Decision.errno(EACCES, "real path unknown");
        }
        if (SupervisorProcs.owns(real.get())) {
            return Decision.errno(EACCES, "the supervisor's own /proc");
        }
        if (own && !real.get().startsWith("/")) {
            return Decision.allow("");
        }
        String expected = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return hop == 0 && real.get().equals(expected) ? Decision.allow("") : rules.apply(real.get());
    }
}
