package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.supervise.SyscallEvent;
import java.util.Optional;

/**
 * A call that changes a file named by path without adding or removing a name (truncate, chmod,
 * chown and their variants), read once from the notification, and turned into what the
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
 * @param length truncate's length
 * @param errno  the kernel's answer for flags it would refuse, or 0
 */
record InodeCall(Op op, boolean follow, long mode, int uid, int gid, long length, int errno) {
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int AT_EMPTY_PATH = 0x1000;

    enum Op { TRUNCATE, CHMOD, CHOWN }

    /** The call in this notification, or empty when it is none of these. */
    static Optional<InodeCall> of(SyscallEvent e) {
        if (e.arch() != Arch.X86_64 && e.arch() != Arch.I386) {
            return Optional.empty();
        }
        boolean i386 = e.arch() == Arch.I386;
        String name = SyscallTable.of(e.arch()).byNumber(e.nr()).map(Syscall::name).orElse("");
        return Optional.ofNullable(switch (name) {
            case "truncate" -> truncate(i386 ? u32(e.arg(1)) : e.arg(1));
            case "truncate64" -> truncate(u32(e.arg(1)) | (e.arg(2) << 32)); // i386: the length in two registers
            case "chmod" -> chmod(e.arg(1), 0);
            case "fchmodat" -> chmod(e.arg(2), 0);
            case "fchmodat2" -> chmod(e.arg(2), u32(e.arg(3)));
            case "chown" -> chown(true, e.arg(1), e.arg(2), i386, 0);   // i386: 16-bit ids
            case "lchown" -> chown(false, e.arg(1), e.arg(2), i386, 0);
            case "chown32" -> chown(true, e.arg(1), e.arg(2), false, 0);
            case "lchown32" -> chown(false, e.arg(1), e.arg(2), false, 0);
            case "fchownat" -> chown(true, e.arg(2), e.arg(3), false, u32(e.arg(4)));
            default -> null;
        });
    }

    private static InodeCall truncate(long length) {
        return new InodeCall(Op.TRUNCATE, true, 0, -1, -1, length, length < 0 ? EINVAL : 0);
    }

    private static InodeCall chmod(long mode, long flags) {
        return new InodeCall(Op.CHMOD, (flags & AT_SYMLINK_NOFOLLOW) == 0, mode & 07777, -1, -1, 0, flagErrno(flags));
    }

    private static InodeCall chown(boolean follow, long uid, long gid, boolean sixteen, long flags) {
        return new InodeCall(Op.CHOWN, follow && (flags & AT_SYMLINK_NOFOLLOW) == 0, 0, id(uid, sixteen),
                id(gid, sixteen), 0, flagErrno(flags));
    }

    /** AT_EMPTY_PATH (the program's own descriptor) is not made for it; other unknown flags are the kernel's EINVAL. */
    private static int flagErrno(long flags) {
        if ((flags & AT_EMPTY_PATH) != 0) {
            return EPERM;
        }
        return (flags & ~(long) AT_SYMLINK_NOFOLLOW) != 0 ? EINVAL : 0;
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
        return new OpenCall(FdInjector.O_PATH | (follow ? 0 : O_NOFOLLOW), 0, 0, 0);
    }

    static final long O_NOFOLLOW = 0400000;
}
