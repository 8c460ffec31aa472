package dev.syscage.learn;

import static dev.syscage.policy.landlock.FsAccess.EXECUTE;
import static dev.syscage.policy.landlock.FsAccess.IOCTL_DEV;
import static dev.syscage.policy.landlock.FsAccess.MAKE_BLOCK;
import static dev.syscage.policy.landlock.FsAccess.MAKE_CHAR;
import static dev.syscage.policy.landlock.FsAccess.MAKE_DIR;
import static dev.syscage.policy.landlock.FsAccess.MAKE_REG;
import static dev.syscage.policy.landlock.FsAccess.MAKE_SOCK;
import static dev.syscage.policy.landlock.FsAccess.MAKE_SYM;
import static dev.syscage.policy.landlock.FsAccess.READ_DIR;
import static dev.syscage.policy.landlock.FsAccess.READ_FILE;
import static dev.syscage.policy.landlock.FsAccess.REFER;
import static dev.syscage.policy.landlock.FsAccess.REMOVE_DIR;
import static dev.syscage.policy.landlock.FsAccess.REMOVE_FILE;
import static dev.syscage.policy.landlock.FsAccess.TRUNCATE;
import static dev.syscage.policy.landlock.FsAccess.WRITE_FILE;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Constants;
import dev.syscage.supervise.DecodedCall.DecodedArg;
import dev.syscage.supervise.SyscallContext;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.TargetMemory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Turns the calls of a learn run into a {@link Footprint}: for each call that Landlock checks,
 * the real path and the right it needs there, the way the kernel asks for it.
 *
 * <ul>
 * <li>{@code open}, {@code openat}, {@code openat2}, {@code creat}: read and/or write on the file
 *     by its access mode (truncate with {@code O_TRUNC}), read on a directory; create on the
 *     directory when {@code O_CREAT} makes a file that is not there. {@code O_PATH} opens are
 *     not checked by Landlock and not recorded.
 * <li>{@code execve}, {@code execveat}: execute and read on the file, and on the interpreter the
 *     kernel opens for it ({@link Interpreters}).
 * <li>{@code mkdir}, {@code mknod}, {@code symlink}, {@code link}, {@code bind} of a UNIX socket
 *     path: create on the directory (make-device for device nodes); {@code unlink},
 *     {@code rmdir}: remove there; {@code rename}: remove where it leaves, create where it
 *     arrives, rename on both when they differ; {@code truncate}: truncate on the file.
 * <li>{@code ioctl} on a device the program opened (not on one it inherited, which Landlock
 *     does not check): ioctl-dev on it.
 * </ul>
 *
 * A call only needs its right when the kernel gets as far as asking: opening, executing or
 * removing what is not there fails with ENOENT first, and creating what is already there with
 * EEXIST, so those calls are not recorded (each is seen before it runs, when the file system
 * still shows what the kernel will find). {@code stat}, {@code access}, {@code chdir},
 * {@code readlink} and metadata changes are not Landlock's and not recorded either.
 *
 * <p>It also counts calls any Landlock domain refuses (mount and friends), and hands the others
 * to {@link Outsiders}, which notes what reaches processes outside the program (for {@code scope:}).
 */
final class FsRecorder {
    private static final int MAX_INTERPRETERS = 4; // the kernel allows 4 levels of #! and binfmt
    private static final Set<String> REFUSED = Set.of("mount", "umount", "umount2", "pivot_root", "move_mount");

    private final RealPaths real = new RealPaths();
    private final Footprint.Builder footprint = new Footprint.Builder();
    private final Outsiders outsiders = new Outsiders(footprint);
    /** Files the program opened itself: Landlock checks ioctl only on those (inherited ones were opened outside). */
    private final Set<String> opened = new HashSet<>();

    private final Map<String, Optional<String>> interpreters = new HashMap<>();
    private final Map<Arch, Flags> flags = new EnumMap<>(Arch.class);

    /** The constants of an architecture the decisions need. */
    private record Flags(
            long accmode,
            long wronly,
            long rdwr,
            long creat,
            long trunc,
            long nofollow,
            long path,
            long tmpfile,
            long exchange,
            long symlinkNofollow,
            long symlinkFollow,
            long ifmt,
            long ifchr,
            long ifblk,
            long ifsock) {

        static Flags of(Arch arch) {
            Constants c = Constants.of(arch);
            return new Flags(
                    v(c, "O_ACCMODE"),
                    v(c, "O_WRONLY"),
                    v(c, "O_RDWR"),
                    v(c, "O_CREAT"),
                    v(c, "O_TRUNC"),
                    v(c, "O_NOFOLLOW"),
                    v(c, "O_PATH"),
                    v(c, "O_TMPFILE"),
                    v(c, "RENAME_EXCHANGE"),
                    v(c, "AT_SYMLINK_NOFOLLOW"),
                    v(c, "AT_SYMLINK_FOLLOW"),
                    0xf000,
                    0x2000,
                    0x6000,
                    0xc000); // S_IFMT, S_IFCHR, S_IFBLK, S_IFSOCK: the same on every arch
        }

        private static long v(Constants c, String name) {
            return c.value(name).orElseThrow(() -> new IllegalStateException("no constant " + name));
        }
    }

    /** Records one call of the program (after its first execve). */
    void record(SyscallContext call) {
        outsiders.seen(call.event());
        String name = call.name();
        switch (name) {
            case "open", "openat", "openat2", "creat" -> open(call);
            case "execve", "execveat" -> exec(call);
            case "mkdir", "mkdirat" -> make(call, MAKE_DIR);
            case "symlink", "symlinkat" -> make(call, MAKE_SYM);
            case "mknod", "mknodat" -> make(call, mknodRight(call));
            case "link", "linkat" -> link(call);
            case "rename", "renameat", "renameat2" -> rename(call);
            case "unlink", "rmdir", "unlinkat" -> remove(call);
            case "truncate", "truncate64" ->
                path(call, true).filter(FsRecorder::exists).ifPresent(p -> footprint.touch(p, TRUNCATE, false));
            case "bind" -> bind(call);
            case "ioctl" -> ioctl(call);
            default -> {
                if (REFUSED.contains(name)) {
                    footprint.refused(name);
                } else {
                    outsiders.record(call);
                }
            }
        }
    }

    Footprint footprint() {
        return footprint.build();
    }

    private void open(SyscallContext call) {
        Flags f = flags(call);
        long fl = call.name().equals("creat")
                ? f.creat() | f.wronly() | f.trunc()
                : call.name().equals("openat2")
                        ? openHowFlags(call)
                        : arg(call, "flags").orElse(0);
        if ((fl & f.path()) != 0) {
            return; // O_PATH: no file_open check
        }
        Optional<String> p = path(call, (fl & f.nofollow()) == 0);
        if (p.isEmpty()) {
            return;
        }
        String path = p.get();
        long mode = fl & f.accmode();
        long rw = (mode == f.wronly() ? WRITE_FILE : mode == f.rdwr() ? READ_FILE | WRITE_FILE : READ_FILE)
                | ((fl & f.trunc()) != 0 && mode != 0 ? TRUNCATE : 0);
        if ((fl & f.tmpfile()) == f.tmpfile()) {
            footprint.touch(path, MAKE_REG | WRITE_FILE, true); // an unnamed file in that directory
            return;
        }
        Optional<BasicFileAttributes> a = attributes(path);
        if (a.isEmpty()) {
            if ((fl & f.creat()) != 0) {
                footprint.touch(RealPaths.parentOf(path), MAKE_REG, true).made(path);
                footprint.touch(path, rw, false);
            }
            return;
        }
        if (a.get().isDirectory()) {
            footprint.touch(path, READ_DIR, true); // opening a directory for writing fails with EISDIR
        } else {
            footprint.touch(path, rw, false);
            if (a.get().isOther()) {
                opened.add(path);
            }
        }
    }

    private void exec(SyscallContext call) {
        long fl = call.name().equals("execveat") ? arg(call, "flags").orElse(0) : 0;
        Optional<String> p =
                path(call, (fl & flags(call).symlinkNofollow()) == 0).filter(FsRecorder::exists);
        for (int depth = 0; p.isPresent() && depth <= MAX_INTERPRETERS; depth++) {
            String file = p.get();
            footprint.touch(file, EXECUTE | READ_FILE, false);
            SyscallEvent e = call.event();
            p = interpreters
                    .computeIfAbsent(file, f -> Interpreters.of(Path.of(f)))
                    .flatMap(i -> real.real(i, true, e.pid(), e.tid()))
                    .filter(FsRecorder::exists);
        }
    }

    /** Create (of kind {@code right}) in the directory, when the new name is not there yet. */
    private void make(SyscallContext call, long right) {
        path(call, false)
                .filter(p -> !exists(p))
                .ifPresent(
                        p -> footprint.touch(RealPaths.parentOf(p), right, true).made(p));
    }

    private long mknodRight(SyscallContext call) {
        Flags f = flags(call);
        long type = arg(call, "mode").orElse(0) & f.ifmt();
        return type == f.ifchr()
                ? MAKE_CHAR
                : type == f.ifblk() ? MAKE_BLOCK : type == f.ifsock() ? MAKE_SOCK : MAKE_REG;
    }

    private void link(SyscallContext call) {
        boolean follow = call.name().equals("linkat")
                && (arg(call, "flags").orElse(0) & flags(call).symlinkFollow()) != 0;
        Optional<String> from = path(call, follow).filter(FsRecorder::exists);
        Optional<String> to = other(call).filter(p -> !exists(p));
        if (from.isPresent() && to.isPresent()) {
            String dir = RealPaths.parentOf(to.get());
            footprint.touch(dir, makeRight(from.get()), true).made(to.get());
            String fromDir = RealPaths.parentOf(from.get());
            if (!fromDir.equals(dir)) {
                footprint.touch(fromDir, REFER, true).touch(dir, REFER, true);
            }
        }
    }

    private void rename(SyscallContext call) {
        boolean exchange = call.name().equals("renameat2")
                && (arg(call, "flags").orElse(0) & flags(call).exchange()) != 0;
        Optional<String> from = path(call, false).filter(FsRecorder::exists);
        Optional<String> to = other(call);
        if (from.isEmpty() || to.isEmpty()) {
            return;
        }
        String fromDir = RealPaths.parentOf(from.get());
        String toDir = RealPaths.parentOf(to.get());
        boolean replaces = exists(to.get());
        footprint.touch(fromDir, remove(from.get()) | (exchange ? makeRight(to.get()) : 0), true);
        footprint.touch(toDir, makeRight(from.get()) | (replaces ? remove(to.get()) : 0), true);
        if (!fromDir.equals(toDir)) {
            footprint.touch(fromDir, REFER, true).touch(toDir, REFER, true);
        }
        if (!replaces) {
            footprint.made(to.get());
        }
    }

    private void remove(SyscallContext call) {
        path(call, false)
                .filter(FsRecorder::exists)
                .ifPresent(p -> footprint.touch(RealPaths.parentOf(p), remove(p), true));
    }

    /** A UNIX socket bound to a path makes a file there (an abstract one is {@link Outsiders}' business). */
    private void bind(SyscallContext call) {
        if (outsiders.bind(call)) {
            path(call, false)
                    .filter(p -> !exists(p))
                    .ifPresent(p -> footprint
                            .touch(RealPaths.parentOf(p), MAKE_SOCK, true)
                            .made(p));
        }
    }

    private void ioctl(SyscallContext call) {
        OptionalLong fd = arg(call, "fd");
        if (fd.isEmpty()) {
            return;
        }
        SyscallEvent e = call.event();
        call.memory()
                .fdPath((int) fd.getAsLong())
                .filter(p -> p.startsWith("/"))
                .flatMap(p -> real.real(p, true, e.pid(), e.tid()))
                .filter(opened::contains)
                .filter(FsRecorder::isDevice)
                .ifPresent(p -> footprint.touch(p, IOCTL_DEV, false));
    }

    // -- paths

    /** The call's path, real, following its last component or not. */
    private Optional<String> path(SyscallContext call, boolean followLast) {
        SyscallEvent e = call.event();
        return call.decoded().resolvedPath().flatMap(p -> real.real(p, followLast, e.pid(), e.tid()));
    }

    /** The call's second path (rename's, link's destination), real, its last component not followed. */
    private Optional<String> other(SyscallContext call) {
        List<Optional<String>> others = call.decoded().otherResolvedPaths();
        SyscallEvent e = call.event();
        return others.isEmpty() ? Optional.empty() : others.get(0).flatMap(p -> real.real(p, false, e.pid(), e.tid()));
    }

    private static Optional<BasicFileAttributes> attributes(String path) {
        try {
            return Optional.of(
                    Files.readAttributes(Path.of(path), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean exists(String path) {
        return attributes(path).isPresent();
    }

    private static boolean isDevice(String path) {
        try {
            int mode = (Integer) Files.getAttribute(Path.of(path), "unix:mode");
            int type = mode & 0xf000;
            return type == 0x2000 || type == 0x6000;
        } catch (IOException | RuntimeException e) {
            return attributes(path).map(BasicFileAttributes::isOther).orElse(false);
        }
    }

    /** What removing {@code path} needs in its directory. */
    private static long remove(String path) {
        return attributes(path).map(BasicFileAttributes::isDirectory).orElse(false) ? REMOVE_DIR : REMOVE_FILE;
    }

    /** What making a file like {@code path} needs in a directory (a link or a rename arriving). */
    private static long makeRight(String path) {
        Optional<BasicFileAttributes> a = attributes(path);
        if (a.isEmpty() || a.get().isRegularFile()) {
            return MAKE_REG;
        }
        return a.get().isDirectory()
                ? MAKE_DIR
                : a.get().isSymbolicLink() ? MAKE_SYM : isDevice(path) ? MAKE_CHAR | MAKE_BLOCK : MAKE_SOCK;
    }

    // -- arguments

    private Flags flags(SyscallContext call) {
        return flags.computeIfAbsent(call.arch(), Flags::of);
    }

    /** An argument by its parameter name, as the kernel reads it (cut to its width, sign-extended). */
    static OptionalLong arg(SyscallContext call, String name) {
        for (DecodedArg a : call.decoded().args()) {
            if (a.name().equals(name)) {
                return OptionalLong.of(a.raw());
            }
        }
        return OptionalLong.empty();
    }

    /** openat2's flags: the first field (u64) of struct open_how. */
    private static long openHowFlags(SyscallContext call) {
        TargetMemory mem = call.memory();
        return arg(call, "how").stream()
                .mapToObj(p -> mem.read(p, 8))
                .flatMap(Optional::stream)
                .mapToLong(
                        b -> ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getLong())
                .findFirst()
                .orElse(0);
    }
}
