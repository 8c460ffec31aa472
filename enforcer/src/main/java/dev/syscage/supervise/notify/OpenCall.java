package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.TargetMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An open the target asked for (open, creat, openat, openat2), read once from the notification
 * and its memory, and turned into the {@code openat2} the supervisor makes in its place: the
 * same flags, the mode minus the target's umask, resolve flags that refuse magic links. What the
 * supervisor cannot do exactly is refused with the errno in {@link Plan#errno}.
 *
 * @param flags   the open flags as the target gave them
 * @param mode    the mode as the target gave it
 * @param resolve openat2's resolve flags (0 for the other calls)
 * @param howError an errno the kernel would give for the target's own {@code open_how}, or 0
 */
record OpenCall(long flags, long mode, long resolve, int howError) {
    static final long O_CREAT = 0100;
    static final long O_CLOEXEC = 02000000;
    static final long O_PATH = 010000000;
    static final long O_DIRECTORY = 0200000;
    static final long O_NOFOLLOW = 0400000;
    static final long O_TMPFILE = 020000000 | 0200000;
    /** Every flag openat2 accepts (its VALID_OPEN_FLAGS); open(2) ignores the others, openat2 refuses them. */
    static final long VALID_FLAGS = 03 | 0100 | 0200 | 0400 | 01000 | 02000 | 04000 | 010000 | 020000 | 040000 | 0100000
            | 0200000 | 0400000 | 01000000 | 02000000 | 04000000 | 010000000 | 020000000;

    static final long VALID_RESOLVE = 0x3f;
    /** The target's resolve flags kept: they only ever make a lookup fail, never reach further. */
    static final long KEPT_RESOLVE = RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_CACHED;

    /**
     * What to open, or an errno to answer instead.
     *
     * @param ownFile the path reopens a file the target already has open ({@code /proc/TGID/fd/N}):
     *     there is no other file it could reach, so the real path is not checked again
     */
    record Plan(String path, long flags, long mode, long resolve, boolean cloexec, boolean ownFile, int errno) {
        static Plan fail(int errno) {
            return new Plan(null, 0, 0, 0, false, false, errno);
        }
    }

    /** /proc/TGID/fd/N or /proc/TGID/task/TID/fd/N. */
    private static final Pattern OWN_FD = Pattern.compile("/proc/(\\d+)(/task/\\d+)?/fd/\\d+");

    /** The open in this notification, or empty when the call is no open (it gets CONTINUE). */
    static Optional<OpenCall> of(SyscallEvent e, TargetMemory memory) {
        boolean x64 = e.arch() == Arch.X86_64;
        if (e.arch() != Arch.X86_64 && e.arch() != Arch.I386) {
            return Optional.empty();
        }
        int nr = e.nr();
        if (nr == (x64 ? 2 : 5)) { // open(path, flags, mode)
            return Optional.of(new OpenCall(e.arg(1), e.arg(2), 0, 0));
        }
        if (nr == (x64 ? 85 : 8)) { // creat(path, mode)
            return Optional.of(new OpenCall(01 | 0100 | 01000, e.arg(1), 0, 0));
        }
        if (nr == (x64 ? 257 : 295)) { // openat(dirfd, path, flags, mode)
            return Optional.of(new OpenCall(e.arg(2), e.arg(3), 0, 0));
        }
        if (nr == 437) { // openat2(dirfd, path, how, size)
            return Optional.of(openat2(e.arg(2), e.arg(3), memory));
        }
        return Optional.empty();
    }

    private static OpenCall openat2(long how, long size, TargetMemory memory) {
        if (size < OPEN_HOW_SIZE) {
            return new OpenCall(0, 0, 0, EINVAL);
        }
        if (size > OPEN_HOW_SIZE) {
            return new OpenCall(0, 0, 0, E2BIG); // a newer open_how: not known here, refused
        }
        Optional<byte[]> bytes = memory.read(how, OPEN_HOW_SIZE);
        if (bytes.isEmpty()) {
            return new OpenCall(0, 0, 0, EFAULT);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes.get()).order(ByteOrder.LITTLE_ENDIAN);
        long flags = b.getLong(0);
        long mode = b.getLong(8);
        long resolve = b.getLong(16);
        boolean invalid = (flags & ~VALID_FLAGS) != 0
                || (mode & ~07777L) != 0
                || (resolve & ~VALID_RESOLVE) != 0
                || (mode != 0 && !creates(flags));
        return new OpenCall(flags, mode, resolve, invalid ? EINVAL : 0);
    }

    private static boolean creates(long flags) {
        return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE;
    }

    /**
     * The openat2 to make for the path the rules matched. {@code path} is the name as the target
     * gave it (a trailing slash matters to the kernel), {@code resolved} the absolute path the
     * decision saw; {@code /proc/self} and {@code /proc/thread-self} are the target's, not ours,
     * and so are {@code /dev/stdin}, {@code /dev/fd/N} and the like, which {@code links} (our
     * readlink; we share the target's mount namespace) shows to point into {@code /proc/self}.
     * Magic links are refused, except under the target's own {@code /proc/TGID/}: there they
     * lead to the target's own files, which it could reach the same way itself.
     */
    Plan plan(
            Optional<String> path,
            Optional<String> resolved,
            int tgid,
            int tid,
            int umask,
            Function<String, Optional<String>> links) {
        if (howError != 0) {
            return Plan.fail(howError);
        }
        if ((resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT)) != 0) {
            return Plan.fail(EPERM); // relative to a dirfd: an absolute path cannot keep that meaning
        }
        if (path.isEmpty()) {
            return Plan.fail(EFAULT); // the supervisor could not read it: a bad pointer
        }
        if (path.get().indexOf('\uFFFD') >= 0) {
            return Plan.fail(EILSEQ); // not UTF-8: the name decoded is not the program's, and O_CREAT would make it
        }
        if (resolved.isEmpty() || !resolved.get().startsWith("/")) {
            return Plan.fail(path.get().isEmpty() ? ENOENT : ENOTDIR); // "" or a dirfd that is no directory
        }
        String p = ownProc(throughDevLinks(resolved.get(), links), tgid, tid);
        boolean ownProcDir = p.startsWith("/proc/" + tgid + "/");
        Matcher fd = OWN_FD.matcher(p);
        boolean ownFile = fd.matches() && fd.group(1).equals(Integer.toString(tgid));
        if (path.get().endsWith("/") && !p.endsWith("/")) {
            p = p + "/";
        }
        long f = flags & VALID_FLAGS;
        long m = creates(f) ? mode & 07777L & ~(long) umask : 0;
        long r = (ownProcDir ? 0 : RESOLVE_NO_MAGICLINKS) | (resolve & KEPT_RESOLVE);
        return new Plan(p, f | O_CLOEXEC, m, r, (f & O_CLOEXEC) != 0, ownFile, 0);
    }

    /**
     * {@code /dev/stdin}, {@code /dev/stdout}, {@code /dev/stderr} and {@code /dev/fd/...} with the
     * link in /dev replaced by its target when that is in {@code /proc/self/fd} (as udev and
     * container runtimes make them); any other path as it is.
     */
    static String throughDevLinks(String p, Function<String, Optional<String>> links) {
        String link;
        String rest;
        if (p.equals("/dev/stdin") || p.equals("/dev/stdout") || p.equals("/dev/stderr")) {
            link = p;
            rest = "";
        } else if (p.equals("/dev/fd") || p.startsWith("/dev/fd/")) {
            link = "/dev/fd";
            rest = p.substring(link.length());
        } else {
            return p;
        }
        Optional<String> to = links.apply(link);
        if (to.isEmpty() || !(to.get().equals("/proc/self/fd") || to.get().startsWith("/proc/self/fd/"))) {
            return p;
        }
        return to.get() + rest;
    }

    /** {@code /proc/self/...} and {@code /proc/thread-self/...} as the target would see them. */
    static String ownProc(String p, int tgid, int tid) {
        if (p.equals("/proc/self") || p.startsWith("/proc/self/")) {
            return "/proc/" + tgid + p.substring("/proc/self".length());
        }
        if (p.equals("/proc/thread-self") || p.startsWith("/proc/thread-self/")) {
            return "/proc/" + tgid + "/task/" + tid + p.substring("/proc/thread-self".length());
        }
        return p;
    }

    boolean tmpfile() {
        return (flags & O_TMPFILE) == O_TMPFILE;
    }
}
