package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.TargetMemory;
import java.util.Optional;

/**
 * A call that changes a file named by path without adding or removing a name (truncate, chmod,
 * chown, utime, setxattr, removexattr and their variants, setxattrat and removexattrat included),
 * read once from the notification and the program's memory (times, attribute names and values,
 * setxattrat's struct), and turned into what the
 * supervisor does in its place when a path rule decides the call: open the file the rules saw
 * ({@code O_PATH}, following the last symlink or not as the call does), check its real path,
 * then change it through that descriptor. The kernel never reads the program's path buffer
 * again. What cannot be done exactly is refused with {@link #errno}.
 *
 * @param op     what the call does
 * @param follow whether the call follows a symlink in the last component
 * @param mode   chmod's mode
 * @param uid    chown's uid, -1 for unchanged
 * @param gid    chown's gid, -1 for unchanged
 * @param length truncate's length; setxattr's flags
 * @param times  the utime calls' times as {@code {atime sec, atime nsec, mtime sec, mtime nsec}}
 *     (UTIME_NOW/UTIME_OMIT as the kernel spells them), null for "now"
 * @param name   the xattr calls' attribute name
 * @param value  setxattr's value
 * @param errno  the kernel's answer for arguments it would refuse, or 0
 */
record InodeCall(
        Op op,
        boolean follow,
        long mode,
        int uid,
        int gid,
        long length,
        long[] times,
        String name,
        byte[] value,
        int errno) {
    /** XATTR_NAME_MAX and XATTR_SIZE_MAX. */
    static final int XATTR_NAME_MAX = 255;

    static final int XATTR_SIZE_MAX = 65536;
    /** struct xattr_args as Linux 6.13 first gave it (value, size, flags), and a page, the most the kernel reads. */
    static final int XATTR_ARGS_SIZE_VER0 = 16;

    private static final int PAGE_SIZE = 4096;

    enum Op {
        TRUNCATE,
        CHMOD,
        CHOWN,
        UTIMES,
        SETXATTR,
        REMOVEXATTR
    }

    private InodeCall(Op op, boolean follow, long mode, int uid, int gid, long length, int errno) {
        this(op, follow, mode, uid, gid, length, null, null, null, errno);
    }

    /** The call in this notification, or empty when it is none of these; what it points to is read from {@code memory}. */
    static Optional<InodeCall> of(SyscallEvent e, TargetMemory memory) {
        if (e.arch() != Arch.X86_64 && e.arch() != Arch.I386) {
            return Optional.empty();
        }
        boolean i386 = e.arch() == Arch.I386;
        if (i386) {
            e = compat(e); // 32-bit registers, however a 64-bit program's int 0x80 left the upper halves
        }
        String name =
                SyscallTable.of(e.arch()).byNumber(e.nr()).map(Syscall::name).orElse("");
        return Optional.ofNullable(
                switch (name) {
                    case "truncate" -> truncate(i386 ? (long) (int) e.arg(1) : e.arg(1)); // i386: a signed 32-bit off_t
                    case "truncate64" ->
                        truncate(u32(e.arg(1)) | (e.arg(2) << 32)); // i386: the length in two registers
                    case "chmod" -> chmod(e.arg(1), 0);
                    case "fchmodat" -> chmod(e.arg(2), 0);
                    case "fchmodat2" -> chmod(e.arg(2), u32(e.arg(3)));
                    case "chown" -> chown(true, e.arg(1), e.arg(2), i386, 0); // i386: 16-bit ids
                    case "lchown" -> chown(false, e.arg(1), e.arg(2), i386, 0);
                    case "chown32" -> chown(true, e.arg(1), e.arg(2), false, 0);
                    case "lchown32" -> chown(false, e.arg(1), e.arg(2), false, 0);
                    case "fchownat" -> chown(true, e.arg(2), e.arg(3), false, u32(e.arg(4)));
                    case "utime" -> utimes(memory, e.arg(1), i386 ? 4 : 8, Units.UTIMBUF, true, 0);
                    case "utimes" -> utimes(memory, e.arg(1), i386 ? 4 : 8, Units.TIMEVAL, true, 0);
                    case "futimesat" -> utimes(memory, e.arg(2), i386 ? 4 : 8, Units.TIMEVAL, true, 0);
                    // utimensat(fd, NULL, ...) changes the descriptor's file: no path, nothing to race
                    case "utimensat" ->
                        e.arg(1) == 0
                                ? null
                                : utimes(memory, e.arg(2), i386 ? 4 : 8, Units.TIMESPEC, true, u32(e.arg(3)));
                    case "utimensat_time64" ->
                        e.arg(1) == 0 ? null : utimes(memory, e.arg(2), 8, Units.TIMESPEC_COMPAT, true, u32(e.arg(3)));
                    case "setxattr", "lsetxattr" ->
                        setxattr(memory, name.equals("setxattr"), e.arg(1), e.arg(2), e.arg(3), u32(e.arg(4)));
                    case "removexattr", "lremovexattr" -> removexattr(memory, name.equals("removexattr"), e.arg(1));
                    case "setxattrat" ->
                        setxattrat(memory, u32(e.arg(2)), e.arg(3), e.arg(4), i386 ? u32(e.arg(5)) : e.arg(5));
                    case "removexattrat" -> removexattrat(memory, u32(e.arg(2)), e.arg(3));
                    default -> null;
                });
    }

    /**
     * How the utime calls give their times: utimbuf (seconds), timeval (µs) or timespec (ns);
     * i386's 64-bit timespec has a 32-bit tv_nsec, whose upper half the kernel ignores.
     */
    private enum Units {
        UTIMBUF,
        TIMEVAL,
        TIMESPEC,
        TIMESPEC_COMPAT
    }

    private static SyscallEvent compat(SyscallEvent e) {
        long[] a = new long[6];
        for (int i = 0; i < a.length; i++) {
            a[i] = u32(e.arg(i));
        }
        return new SyscallEvent(
                e.seq(), e.wallNanos(), e.pid(), e.tid(), e.arch(), e.nr(), a, e.ip(), e.source(), e.data());
    }

    private static final long UTIME_NOW = (1L << 30) - 1;
    private static final long UTIME_OMIT = (1L << 30) - 2;

    private static InodeCall utimes(
            TargetMemory memory, long address, int word, Units units, boolean follow, long flags) {
        int err = flagErrno(flags);
        boolean nofollow = (flags & AT_SYMLINK_NOFOLLOW) != 0;
        if (err != 0 || address == 0) {
            return new InodeCall(Op.UTIMES, follow && !nofollow, 0, -1, -1, 0, null, null, null, err);
        }
        int fields = units == Units.UTIMBUF ? 2 : 4;
        Optional<byte[]> raw = memory.read(address, fields * word);
        if (raw.isEmpty()) {
            return new InodeCall(Op.UTIMES, true, 0, -1, -1, 0, null, null, null, EFAULT);
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(raw.get()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long[] v = new long[fields];
        for (int i = 0; i < fields; i++) {
            v[i] = word == 8 ? b.getLong(8 * i) : b.getInt(4 * i);
        }
        long[] ts = switch (units) {
            case UTIMBUF -> new long[] {v[0], 0, v[1], 0};
            case TIMEVAL -> new long[] {v[0], v[1] * 1000, v[2], v[3] * 1000};
            case TIMESPEC -> v;
            case TIMESPEC_COMPAT -> new long[] {v[0], u32(v[1]), v[2], u32(v[3])};
        };
        if (units == Units.TIMEVAL && (v[1] < 0 || v[1] >= 1_000_000 || v[3] < 0 || v[3] >= 1_000_000)) {
            err = EINVAL;
        }
        if (units == Units.TIMESPEC || units == Units.TIMESPEC_COMPAT) {
            for (int i = 1; i < 4; i += 2) {
                boolean special = ts[i] == UTIME_NOW || ts[i] == UTIME_OMIT;
                if (!special && (ts[i] < 0 || ts[i] >= 1_000_000_000L)) {
                    err = EINVAL;
                }
            }
        }
        return new InodeCall(Op.UTIMES, follow && !nofollow, 0, -1, -1, 0, ts, null, null, err);
    }

    private static InodeCall setxattr(
            TargetMemory memory, boolean follow, long nameAddress, long valueAddress, long size, long flags) {
        Optional<String> name = attrName(memory, nameAddress);
        if (name.isEmpty()) {
            return new InodeCall(Op.SETXATTR, follow, 0, -1, -1, 0, null, null, null, EFAULT);
        }
        if (Long.compareUnsigned(size, XATTR_SIZE_MAX) > 0) { // a size_t
            return new InodeCall(Op.SETXATTR, follow, 0, -1, -1, 0, null, name.get(), null, E2BIG);
        }
        byte[] value = new byte[(int) size];
        for (int at = 0; at < value.length; at += 4096) {
            int n = Math.min(4096, value.length - at);
            Optional<byte[]> chunk = memory.read(valueAddress + at, n);
            if (chunk.isEmpty()) {
                return new InodeCall(Op.SETXATTR, follow, 0, -1, -1, 0, null, name.get(), null, EFAULT);
            }
            System.arraycopy(chunk.get(), 0, value, at, n);
        }
        return new InodeCall(Op.SETXATTR, follow, 0, -1, -1, flags, null, name.get(), value, 0);
    }

    /**
     * setxattrat: its value, size and flags come in a {@code struct xattr_args} of {@code usize}
     * bytes, checked as the kernel does (shorter than the first version: EINVAL; over a page:
     * E2BIG; unknown trailing bytes that are not zero: E2BIG), then its {@code at_flags}.
     */
    private static InodeCall setxattrat(
            TargetMemory memory, long atFlags, long nameAddress, long argsAddress, long usize) {
        boolean follow = (atFlags & AT_SYMLINK_NOFOLLOW) == 0;
        if (Long.compareUnsigned(usize, XATTR_ARGS_SIZE_VER0) < 0) { // a size_t
            return new InodeCall(Op.SETXATTR, follow, 0, -1, -1, 0, EINVAL);
        }
        if (Long.compareUnsigned(usize, PAGE_SIZE) > 0) {
            return new InodeCall(Op.SETXATTR, follow, 0, -1, -1, 0, E2BIG);
        }
        Optional<byte[]> raw = memory.read(argsAddress, (int) usize);
        if (raw.isEmpty()) {
            return new InodeCall(Op.SETXATTR, follow, 0, -1, -1, 0, EFAULT);
        }
        java.nio.ByteBuffer args = java.nio.ByteBuffer.wrap(raw.get()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = XATTR_ARGS_SIZE_VER0; i < usize; i++) {
            if (args.get(i) != 0) {
                return new InodeCall(Op.SETXATTR, follow, 0, -1, -1, 0, E2BIG);
            }
        }
        int err = flagErrno(atFlags);
        if (err != 0) {
            return new InodeCall(Op.SETXATTR, follow, 0, -1, -1, 0, err);
        }
        return setxattr(memory, follow, nameAddress, args.getLong(0), u32(args.getInt(8)), u32(args.getInt(12)));
    }

    private static InodeCall removexattrat(TargetMemory memory, long atFlags, long nameAddress) {
        boolean follow = (atFlags & AT_SYMLINK_NOFOLLOW) == 0;
        int err = flagErrno(atFlags);
        return err != 0
                ? new InodeCall(Op.REMOVEXATTR, follow, 0, -1, -1, 0, err)
                : removexattr(memory, follow, nameAddress);
    }

    private static InodeCall removexattr(TargetMemory memory, boolean follow, long nameAddress) {
        Optional<String> name = attrName(memory, nameAddress);
        return new InodeCall(
                Op.REMOVEXATTR, follow, 0, -1, -1, 0, null, name.orElse(null), null, name.isEmpty() ? EFAULT : 0);
    }

    /** The attribute's name, read once (a longer name than the kernel takes is kept, for its ERANGE). */
    private static Optional<String> attrName(TargetMemory memory, long address) {
        return address == 0 ? Optional.empty() : memory.readString(address, XATTR_NAME_MAX + 2);
    }

    /**
     * The errno for a path or attribute name that was not UTF-8 (it decodes with U+FFFD, so the
     * supervisor would act on another name than the program's), or the call's own {@link #errno}.
     */
    int errnoFor(Optional<String> path) {
        boolean undecodable =
                path.map(p -> p.indexOf('\uFFFD') >= 0).orElse(false) || (name != null && name.indexOf('\uFFFD') >= 0);
        return errno != 0 ? errno : undecodable ? EILSEQ : 0;
    }

    private static InodeCall truncate(long length) {
        return new InodeCall(Op.TRUNCATE, true, 0, -1, -1, length, length < 0 ? EINVAL : 0);
    }

    private static InodeCall chmod(long mode, long flags) {
        return new InodeCall(Op.CHMOD, (flags & AT_SYMLINK_NOFOLLOW) == 0, mode & 07777, -1, -1, 0, flagErrno(flags));
    }

    private static InodeCall chown(boolean follow, long uid, long gid, boolean sixteen, long flags) {
        return new InodeCall(
                Op.CHOWN,
                follow && (flags & AT_SYMLINK_NOFOLLOW) == 0,
                0,
                id(uid, sixteen),
                id(gid, sixteen),
                0,
                flagErrno(flags));
    }

    /** AT_EMPTY_PATH (the program's own descriptor) is not made for it; other unknown flags are the kernel's EINVAL. */
    private static int flagErrno(long flags) {
        if ((flags & ~(long) (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) {
            return EINVAL;
        }
        return (flags & AT_EMPTY_PATH) != 0 ? EPERM : 0;
    }

    private static int id(long v, boolean sixteen) {
        long id = sixteen ? v & 0xffff : v & 0xffffffffL;
        return sixteen && id == 0xffff ? -1 : (int) id;
    }

    private static long u32(long v) {
        return v & 0xffffffffL;
    }

    /** The {@code O_PATH} open that finds the file as the call would. */
    OpenCall open() {
        return new OpenCall(OpenCall.O_PATH | (follow ? 0 : OpenCall.O_NOFOLLOW), 0, 0, 0);
    }
}
