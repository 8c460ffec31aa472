package dev.syscage.nativeaccess;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** {@link FileCalls} through the direct-mapped {@code syscall(2)} of {@link SeccompNotify}, with buffers allocated once. */
final class JnaFileCalls implements FileCalls {
    private static final int STATX_TYPE = 1;
    private static final int STATX_MODE_OFFSET = 0x1c;
    private static final int S_IFMT = 0170000;

    private final Memory how = new Memory(OPEN_HOW_SIZE);
    /** Two string buffers: a call may take two paths (rename, link) or a text and a path (symlink). */
    private final Memory[] strings = {new Memory(4096), new Memory(4096)};

    private final Memory times = new Memory(32);
    private final Memory statx = new Memory(256);

    @Override
    public int openat2(int dirfd, String path, long flags, long mode, long resolve) {
        long name = cstring(path, 0);
        how.setLong(0, flags);
        how.setLong(8, mode);
        how.setLong(16, resolve);
        return call(SYS_openat2, dirfd, name, Pointer.nativeValue(how), OPEN_HOW_SIZE, 0);
    }

    @Override
    public int openat(int dirfd, String path, long flags, long mode) {
        return call(SYS_openat, dirfd, cstring(path, 0), flags, mode, 0);
    }

    @Override
    public int unlinkat(int dirfd, String path, long flags) {
        return call(SYS_unlinkat, dirfd, cstring(path, 0), flags, 0, 0);
    }

    @Override
    public int mkdirat(int dirfd, String path, int mode) {
        return call(SYS_mkdirat, dirfd, cstring(path, 0), mode, 0, 0);
    }

    @Override
    public int mknodat(int dirfd, String path, int mode, long dev) {
        return call(SYS_mknodat, dirfd, cstring(path, 0), mode, dev, 0);
    }

    @Override
    public int symlinkat(String target, int dirfd, String path) {
        return call(SYS_symlinkat, cstring(target, 1), dirfd, cstring(path, 0), 0, 0);
    }

    @Override
    public int renameat2(int olddirfd, String oldpath, int newdirfd, String newpath, long flags) {
        return call(SYS_renameat2, olddirfd, cstring(oldpath, 0), newdirfd, cstring(newpath, 1), flags);
    }

    @Override
    public int linkat(int olddirfd, String oldpath, int newdirfd, String newpath, long flags) {
        return call(SYS_linkat, olddirfd, cstring(oldpath, 0), newdirfd, cstring(newpath, 1), flags);
    }

    @Override
    public int fchmodat(int dirfd, String path, int mode) {
        return call(SYS_fchmodat, dirfd, cstring(path, 0), mode, 0, 0);
    }

    @Override
    public int fchownat(int dirfd, String path, int uid, int gid, int flags) {
        return call(SYS_fchownat, dirfd, cstring(path, 0), uid & 0xffffffffL, gid & 0xffffffffL, flags);
    }

    @Override
    public int ftruncate(int fd, long length) {
        return call(SYS_ftruncate, fd, length, 0, 0, 0);
    }

    @Override
    public int utimensat(int dirfd, String path, long[] ts) {
        long t = 0;
        if (ts != null) {
            for (int i = 0; i < 4; i++) {
                times.setLong(8L * i, ts[i]);
            }
            t = Pointer.nativeValue(times);
        }
        return call(SYS_utimensat, dirfd, cstring(path, 0), t, 0, 0);
    }

    @Override
    public int setxattr(String path, String name, byte[] value, long flags) {
        Memory v = new Memory(Math.max(1, value.length));
        v.write(0, value, 0, value.length);
        return call(SYS_setxattr, cstring(path, 0), cstring(name, 1), Pointer.nativeValue(v), value.length, flags);
    }

    @Override
    public int removexattr(String path, String name) {
        return call(SYS_removexattr, cstring(path, 0), cstring(name, 1), 0, 0, 0);
    }

    @Override
    public int setStatusFlags(int fd, long flags) {
        return call(SYS_fcntl, fd, F_SETFL, flags, 0, 0);
    }

    @Override
    public int fileType(int fd) {
        statx.clear();
        int r = call(SYS_statx, fd, cstring("", 0), AT_EMPTY_PATH, STATX_TYPE, Pointer.nativeValue(statx));
        return r < 0 ? r : (statx.getShort(STATX_MODE_OFFSET) & 0xffff) & S_IFMT;
    }

    @Override
    public Optional<String> readlinkat(int dirfd, String path) {
        Memory text = strings[1];
        int n = call(SYS_readlinkat, dirfd, cstring(path, 0), Pointer.nativeValue(text), text.size(), 0);
        if (n < 0 || n >= text.size()) {
            return Optional.empty();
        }
        return Optional.of(new String(text.getByteArray(0, n), StandardCharsets.UTF_8));
    }

    @Override
    public int close(int fd) {
        try {
            return SeccompNotify.close(fd);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    private static int call(long nr, long a1, long a2, long a3, long a4, long a5) {
        try {
            return (int) syscall(nr, a1, a2, a3, a4, a5);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    /** {@code s} as a NUL-terminated string in buffer {@code which} (0 or 1): its address. */
    private long cstring(String s, int which) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length + 1L > strings[which].size()) {
            strings[which] = new Memory(b.length + 1L);
        }
        strings[which].write(0, b, 0, b.length);
        strings[which].setByte(b.length, (byte) 0);
        return Pointer.nativeValue(strings[which]);
    }
}
