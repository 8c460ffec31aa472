package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import dev.syscage.nativeaccess.FileCalls;
import dev.syscage.nativeaccess.ProcFiles;
import dev.syscage.nativeaccess.SeccompListener;
import dev.syscage.policy.landlock.FsAccess;
import java.util.Optional;

/**
 * The native half of a race-free open: {@code openat2} in the supervisor, the real path of what
 * it opened ({@code /proc/self/fd/N}), and {@code SECCOMP_IOCTL_NOTIF_ADDFD} with
 * {@code SECCOMP_ADDFD_FLAG_SEND}, which installs the file in the target as the lowest free fd
 * and answers the notification with that number in one step; and of the other race-free path
 * calls ({@link PathCall}), {@code unlinkat} and {@code mkdirat} relative to a directory it
 * opened. Owned by the supervisor thread.
 *
 * <p>The calls whose effects Landlock checks run in the program's {@link LandlockDomain} (on one
 * of its threads; on this one for {@link LandlockDomain#NONE}), so that they reach no file the
 * program's own call could not: an open that is not {@code O_PATH} (the reopen through
 * {@code /proc/self/fd/N} with the program's flags, the {@code O_CREAT|O_EXCL} create; truncate
 * reopens for writing), {@code mkdirat}, {@code mknodat}, {@code unlinkat}, {@code renameat2},
 * {@code linkat} and {@code symlinkat}. The rest stays on the caller's thread: the {@code O_PATH}
 * lookups, which Landlock does not check and which go through the program's
 * {@code /proc/PID/cwd} and fd links, which a thread in a domain may not follow (its ptrace
 * rules); {@code readlinkat} and {@code statx}, which it does not check either; and chmod, chown,
 * utimensat and the xattr calls, which Landlock does not check for the program either (its
 * domain has no right for them: they stay with seccomp and the supervise rules). Reopening
 * {@code /proc/self/fd/N} works from a domain thread: {@code /proc/self} is the JVM itself, and
 * Landlock judges the file it leads to by that file's place in the tree.
 *
 * <p>The calls go through {@link FileCalls} and the listener's {@link SeccompListener#addFd}: the
 * kernel's, or fakes in tests.
 */
final class FdInjector {
    private final SeccompListener listener;
    private final LandlockDomain domain;
    private final FileCalls files;
    private final ProcFiles proc = new ProcFiles(4096);

    /** An injector whose calls run on the caller's thread (no domain, or a thread already in it). */
    FdInjector(SeccompListener listener) {
        this(listener, LandlockDomain.NONE);
    }

    /** @param domain where the calls Landlock checks run (see above) */
    FdInjector(SeccompListener listener, LandlockDomain domain) {
        this(listener, domain, FileCalls.create());
    }

    /** @param files how the calls are made (a fake in tests) */
    FdInjector(SeccompListener listener, LandlockDomain domain, FileCalls files) {
        this.listener = listener;
        this.domain = domain;
        this.files = files;
    }

    /** Opens {@code plan}'s path as the supervisor: the new fd (close-on-exec here), or -errno. */
    int open(OpenCall.Plan plan) {
        return openat2(plan.path(), plan.flags(), plan.mode(), plan.resolve());
    }

    /** openat2(AT_FDCWD, path, {flags, mode, resolve}) as the supervisor: the new fd, or -errno. */
    int openat2(String path, long flags, long mode, long resolve) {
        return files.openat2(AT_FDCWD, path, flags, mode, resolve);
    }

    /** openat(dirfd, name, flags, mode) as the supervisor, in the domain: the new fd, or -errno. */
    int openat(int dirfd, String name, long flags, long mode) {
        return domain.handlesAny(openRights(flags))
                ? domain.call(() -> files.openat(dirfd, name, flags, mode))
                : files.openat(dirfd, name, flags, mode);
    }

    /** The Landlock rights an open with {@code flags} needs (a directory's read_dir included with read_file). */
    static long openRights(long flags) {
        if ((flags & OpenCall.O_PATH) != 0) {
            return 0;
        }
        long rights = switch ((int) (flags & 3)) {
            case 0 -> FsAccess.READ_FILE | FsAccess.READ_DIR;
            case 1 -> FsAccess.WRITE_FILE;
            default -> FsAccess.READ_FILE | FsAccess.WRITE_FILE;
        };
        if ((flags & O_TRUNC_FLAG) != 0) {
            rights |= FsAccess.TRUNCATE;
        }
        if ((flags & OpenCall.O_CREAT) != 0) {
            rights |= FsAccess.MAKE_REG;
        }
        return rights;
    }

    private static final long O_TRUNC_FLAG = 01000;
    private static final long AT_REMOVEDIR_FLAG = 0x200;

    /** The Landlock right mknod of {@code mode}'s file type needs. */
    static long makeRight(int mode) {
        return switch (mode & 0170000) {
            case 0020000 -> FsAccess.MAKE_CHAR;
            case 0060000 -> FsAccess.MAKE_BLOCK;
            case 0010000 -> FsAccess.MAKE_FIFO;
            case 0140000 -> FsAccess.MAKE_SOCK;
            default -> FsAccess.MAKE_REG;
        };
    }
    /** Everything a rename or link may need: making the name, removing the old one, moving across directories. */
    private static final long MOVE_RIGHTS = FsAccess.ALL
            & ~(FsAccess.EXECUTE
                    | FsAccess.READ_FILE
                    | FsAccess.READ_DIR
                    | FsAccess.WRITE_FILE
                    | FsAccess.TRUNCATE
                    | FsAccess.IOCTL_DEV);

    /**
     * Opens the file {@code fd} (ours, {@code O_PATH}) stands for anew, through
     * {@code /proc/self/fd/N}, with {@code flags}: the same inode, whatever its name leads to now.
     */
    int reopen(int fd, long flags, long mode) {
        return openat(AT_FDCWD, selfFd(fd), flags, mode);
    }

    /** {@code /proc/self/fd/N}: what a path-taking call is given to reach the file our {@code fd} stands for. */
    static String selfFd(int fd) {
        return "/proc/self/fd/" + fd;
    }

    /** fcntl(fd, F_SETFL, flags): 0 or -errno. */
    int setStatusFlags(int fd, long flags) {
        return files.setStatusFlags(fd, flags);
    }

    /** The text of the symlink {@code name} in {@code dirfd}, or empty. */
    Optional<String> readlinkat(int dirfd, String name) {
        return files.readlinkat(dirfd, name);
    }

    /** The directory {@code dir} as an {@code O_PATH} descriptor, no magic links on the way: the fd, or -errno. */
    int openDirectory(String dir) {
        return openat2(dir, OpenCall.O_PATH | OpenCall.O_DIRECTORY | OpenCall.O_CLOEXEC, 0, RESOLVE_NO_MAGICLINKS);
    }

    /** {@code file} as an {@code O_PATH} descriptor, following symlinks but no magic links: the fd, or -errno. */
    int openFollowing(String file) {
        return openat2(file, OpenCall.O_PATH | OpenCall.O_CLOEXEC, 0, RESOLVE_NO_MAGICLINKS);
    }

    // each call below that Landlock checks runs on a thread of the program's domain when the domain
    // handles a right it needs, else here, with no hand-off and no allocation: the kernel would not
    // refuse the program a call that needs no handled right either

    /** unlinkat(dirfd, name, flags) as the supervisor, in the domain: 0 or -errno. */
    int unlinkat(int dirfd, String name, long flags) {
        long right = (flags & AT_REMOVEDIR_FLAG) != 0 ? FsAccess.REMOVE_DIR : FsAccess.REMOVE_FILE;
        return domain.handlesAny(right)
                ? domain.call(() -> files.unlinkat(dirfd, name, flags))
                : files.unlinkat(dirfd, name, flags);
    }

    /** mkdirat(dirfd, name, mode) as the supervisor, in the domain (its own umask applies as well): 0 or -errno. */
    int mkdirat(int dirfd, String name, int mode) {
        return domain.handlesAny(FsAccess.MAKE_DIR)
                ? domain.call(() -> files.mkdirat(dirfd, name, mode))
                : files.mkdirat(dirfd, name, mode);
    }

    /** mknodat(dirfd, name, mode, dev) as the supervisor, in the domain (its own umask applies as well): 0 or -errno. */
    int mknodat(int dirfd, String name, int mode, long dev) {
        return domain.handlesAny(makeRight(mode))
                ? domain.call(() -> files.mknodat(dirfd, name, mode, dev))
                : files.mknodat(dirfd, name, mode, dev);
    }

    /** symlinkat(text, dirfd, name) as the supervisor, in the domain: 0 or -errno. */
    int symlinkat(String text, int dirfd, String name) {
        return domain.handlesAny(FsAccess.MAKE_SYM)
                ? domain.call(() -> files.symlinkat(text, dirfd, name))
                : files.symlinkat(text, dirfd, name);
    }

    /** renameat2(dirfd1, name1, dirfd2, name2, flags) as the supervisor, in the domain: 0 or -errno. */
    int renameat2(int dirfd1, String name1, int dirfd2, String name2, long flags) {
        return domain.handlesAny(MOVE_RIGHTS)
                ? domain.call(() -> files.renameat2(dirfd1, name1, dirfd2, name2, flags))
                : files.renameat2(dirfd1, name1, dirfd2, name2, flags);
    }

    /** linkat(dirfd1, name1, dirfd2, name2, flags) as the supervisor, in the domain: 0 or -errno. */
    int linkat(int dirfd1, String name1, int dirfd2, String name2, long flags) {
        return domain.handlesAny(MOVE_RIGHTS)
                ? domain.call(() -> files.linkat(dirfd1, name1, dirfd2, name2, flags))
                : files.linkat(dirfd1, name1, dirfd2, name2, flags);
    }

    // chmod, chown, utimensat and the xattr calls stay on the caller's thread: Landlock has no
    // right for them, so the program's domain would not refuse them either

    /** chmod of the file {@code fd} (ours, {@code O_PATH}) stands for, through {@code /proc/self/fd/N}: 0 or -errno. */
    int chmodVia(int fd, int mode) {
        return files.fchmodat(AT_FDCWD, selfFd(fd), mode);
    }

    /** chown of the file {@code fd} (ours, {@code O_PATH}; a symlink itself when it is one): 0 or -errno. */
    int chownVia(int fd, int uid, int gid) {
        return files.fchownat(fd, "", uid, gid, AT_EMPTY_PATH);
    }

    /**
     * truncate of the file {@code fd} (ours, {@code O_PATH}) stands for: as the kernel, EISDIR for
     * a directory and EINVAL for anything but a regular file; else it is opened for writing
     * through {@code /proc/self/fd/N} (the same permission check; in the domain, where Landlock
     * checks the write and truncate rights, and the file keeps what it found for
     * {@code ftruncate}) and truncated. 0 or -errno.
     */
    int truncateVia(int fd, long length) {
        int type = fileType(fd);
        if (type < 0) {
            return type;
        }
        if (type == S_IFDIR) {
            return -EISDIR;
        }
        if (type != S_IFREG) {
            return -EINVAL;
        }
        int w = reopen(fd, O_WRONLY | OpenCall.O_CLOEXEC, 0);
        if (w < 0) {
            return w;
        }
        try {
            return files.ftruncate(w, length);
        } finally {
            files.close(w);
        }
    }

    /**
     * utimensat of the file {@code fd} (ours, {@code O_PATH}; a symlink itself when it is one)
     * stands for, through {@code /proc/self/fd/N}; {@code ts} as {@link InodeCall#times}, null
     * for now. 0 or -errno.
     */
    int utimesVia(int fd, long[] ts) {
        return files.utimensat(AT_FDCWD, selfFd(fd), ts);
    }

    /** setxattr of the file {@code fd} stands for, through {@code /proc/self/fd/N}: 0 or -errno. */
    int setxattrVia(int fd, String name, byte[] value, long flags) {
        return files.setxattr(selfFd(fd), name, value, flags);
    }

    /** removexattr of the file {@code fd} stands for, through {@code /proc/self/fd/N}: 0 or -errno. */
    int removexattrVia(int fd, String name) {
        return files.removexattr(selfFd(fd), name);
    }

    /** Whether {@code fd} (ours, {@code O_PATH}) is a symlink itself. */
    boolean isSymlink(int fd) {
        return fileType(fd) == S_IFLNK;
    }

    static final int S_IFMT = 0170000;
    static final int S_IFDIR = 0040000;
    static final int S_IFIFO = 0010000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;
    private static final long O_WRONLY = 01;

    /** The file type bits ({@code S_IF*}) of {@code fd}'s file (statx), or -errno. */
    int fileType(int fd) {
        return files.fileType(fd);
    }

    /** What {@code fd} (ours) names now, as the kernel reports it; empty if it cannot be read. */
    Optional<String> realPath(int fd) {
        return proc.readlink(selfFd(fd));
    }

    /**
     * Gives {@code fd} to the target and answers notification {@code id} with its number there.
     *
     * @return the descriptor's number in the target (≥ 0) when answered, -ENOENT when the
     *     notification is gone (interrupted or dead caller), or another -errno (EMFILE, ...) when
     *     the fd could not be installed and nothing was answered
     */
    int inject(long id, int fd, boolean cloexec) {
        while (true) {
            int r = listener.addFd(id, fd, cloexec ? (int) OpenCall.O_CLOEXEC : 0, SECCOMP_ADDFD_FLAG_SEND);
            if (r != -EINTR) {
                return r;
            }
        }
    }

    /** Closes our {@code fd}; nothing to do when that fails: our copy is gone either way. */
    static void closeQuietly(int fd) {
        CLOSER.close(fd);
    }

    private static final FileCalls CLOSER = FileCalls.create();
}
