package dev.syscage.nativeaccess;

import java.util.Optional;

/**
 * The file calls the notify supervisor makes for the program, named and typed as in libc (the
 * {@code *at} forms; {@code openat2} and {@code renameat2} through syscall(2)). Each returns a
 * descriptor or 0 on success and -errno on failure, never throws; strings are copied into
 * buffers the handle owns, so a handle belongs to one thread at a time. {@link #create} gives
 * the kernel's ({@link JnaFileCalls}); tests use fakes.
 */
public interface FileCalls {
    int openat2(int dirfd, String path, long flags, long mode, long resolve);

    int openat(int dirfd, String path, long flags, long mode);

    int unlinkat(int dirfd, String path, long flags);

    int mkdirat(int dirfd, String path, int mode);

    int mknodat(int dirfd, String path, int mode, long dev);

    int symlinkat(String target, int dirfd, String path);

    int renameat2(int olddirfd, String oldpath, int newdirfd, String newpath, long flags);

    int linkat(int olddirfd, String oldpath, int newdirfd, String newpath, long flags);

    int fchmodat(int dirfd, String path, int mode);

    int fchownat(int dirfd, String path, int uid, int gid, int flags);

    int ftruncate(int fd, long length);

    /** utimensat(dirfd, path, times, 0); {@code times} {sec, nsec, sec, nsec}, or null for now. */
    int utimensat(int dirfd, String path, long[] times);

    int setxattr(String path, String name, byte[] value, long flags);

    int removexattr(String path, String name);

    /** fcntl(fd, F_SETFL, flags). */
    int setStatusFlags(int fd, long flags);

    /** The file type bits ({@code S_IF*}) of {@code fd}'s file (statx with AT_EMPTY_PATH), or -errno. */
    int fileType(int fd);

    /** readlinkat(dirfd, path): the link's text, or empty. */
    Optional<String> readlinkat(int dirfd, String path);

    /** close(fd): 0 or -errno. */
    int close(int fd);

    static FileCalls create() {
        return new JnaFileCalls();
    }
}
