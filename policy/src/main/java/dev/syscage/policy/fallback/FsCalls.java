package dev.syscage.policy.fallback;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Constants;
import dev.syscage.policy.arch.Param;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.landlock.FsAccess;
import dev.syscage.policy.model.Cond;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Which syscalls exercise which Landlock file-system rights, for {@link SupervisorFallback}. A
 * call's rights can depend on its register arguments (open's access mode and flags, mknod's
 * file type, unlinkat's AT_REMOVEDIR): each such test is a <em>feature</em>, and the rights a
 * call needs are a function of which features hold. Only what BPF can see is told apart here;
 * the path is the supervisor's business.
 *
 * <pre>
 * open, openat        O_PATH: none (Landlock does not check O_PATH opens); else
 *                     O_RDONLY: read_file (read_dir with O_DIRECTORY), O_WRONLY: write_file,
 *                     O_RDWR and mode 3: both; O_TRUNC: + truncate; O_CREAT: + make_reg
 * creat               write_file, truncate, make_reg
 * openat2             its flags are in memory: what any open may need; ENOSYS when any is checked
 * execve, execveat    execute, read_file (the kernel opens the file to read it)
 * truncate(64)        truncate
 * mknod, mknodat      by (mode &amp; S_IFMT): make_reg (0, S_IFREG), make_char, make_block,
 *                     make_fifo, make_sock; other types fail in the kernel
 * mkdir(at)           make_dir;      symlink(at)  make_sym
 * unlink              remove_file;   rmdir        remove_dir;   unlinkat  by AT_REMOVEDIR
 * rename(at)(2)       every create right but devices', both remove rights, refer (both ends)
 * link, linkat        every create right but devices', refer (both ends); linkat with
 *                     AT_SYMLINK_FOLLOW: EACCES when links are checked at all
 * mount, umount(2), pivot_root, move_mount
 *                     EPERM: a domain that handles file-system rights forbids them
 * calls whose file the supervisor cannot see (Landlock checks them in the kernel):
 *   open_by_handle_at as open by its flags, uselib as execve: EACCES where they would be checked;
 *   io_uring_setup: ENOSYS when any open, create, remove or rename is checked (a ring opens,
 *   makes and removes files without a syscall the filter sees; programs fall back)
 * </pre>
 *
 * {@link #rightsNeeded} evaluates the table for one call's registers (for {@code syscage suggest}).
 */
public final class FsCalls {
    /** Every right of the {@code create} word: making anything but a device. */
    static final long MAKES =
            FsAccess.MAKE_REG | FsAccess.MAKE_DIR | FsAccess.MAKE_SYM | FsAccess.MAKE_FIFO | FsAccess.MAKE_SOCK;

    static final long REMOVES = FsAccess.REMOVE_FILE | FsAccess.REMOVE_DIR;
    static final long OPENS =
            FsAccess.READ_FILE | FsAccess.READ_DIR | FsAccess.WRITE_FILE | FsAccess.TRUNCATE | FsAccess.MAKE_REG;

    /**
     * What a call needs: {@code rights} at its path (at both of a rename's or link's);
     * {@code creates}: it creates the file unless it exists (O_CREAT), so a path a rule names
     * exactly does without make_reg; {@code errnoIfChecked}: not checked by path but failed with
     * this errno wherever it would be; {@code errnoAlways}: failed with it in any domain (0: not).
     */
    record Need(long rights, boolean creates, int errnoIfChecked, int errnoAlways) {
        static final Need NONE = new Need(0, false, 0, 0);

        static Need of(long rights) {
            return new Need(rights, false, 0, 0);
        }
    }

    /** A syscall's features (tests on its arguments) and the need for each combination of them (bit i: feature i holds). */
    record FsCall(Syscall syscall, List<Cond> features, IntFunction<Need> need) {}

    private static final int EACCES = 13;
    private static final int ENOSYS = 38;
    private static final int EPERM = 1;

    private FsCalls() {}

    /**
     * The rights (FsAccess bits) a call of {@code syscall} with these argument registers needs at
     * its path, at each of both for a rename or link: the table above with its features tested on
     * {@code registers} (six, raw). 0 for a call that needs none, or a syscall {@code arch}'s table
     * does not know.
     */
    public static long rightsNeeded(Arch arch, String syscall, long[] registers) {
        Optional<Syscall> s = SyscallTable.of(arch).byName(syscall);
        Optional<FsCall> call = s.flatMap(x -> of(x, Constants.of(arch)));
        if (call.isEmpty()) {
            return 0;
        }
        int f = 0;
        for (int i = 0; i < call.get().features().size(); i++) {
            f |= Cond.eval(call.get().features().get(i), registers) ? 1 << i : 0;
        }
        return call.get().need().apply(f).rights();
    }

    /** How {@code s} uses file-system rights, or empty when it uses none Landlock checks. */
    static Optional<FsCall> of(Syscall s, Constants k) {
        return Optional.ofNullable(
                switch (s.name()) {
                    case "open", "openat" -> opens(s, k);
                    case "creat" ->
                        fixed(s, new Need(FsAccess.WRITE_FILE | FsAccess.TRUNCATE | FsAccess.MAKE_REG, true, 0, 0));
                    case "openat2" -> fixed(s, new Need(OPENS, true, ENOSYS, 0));
                    case "open_by_handle_at" -> unseen(opens(s, k));
                    case "uselib" -> fixed(s, new Need(FsAccess.EXECUTE | FsAccess.READ_FILE, false, EACCES, 0));
                    case "io_uring_setup" ->
                        fixed(s, new Need(OPENS | MAKES | REMOVES | FsAccess.REFER, false, ENOSYS, 0));
                    case "execve", "execveat" -> fixed(s, Need.of(FsAccess.EXECUTE | FsAccess.READ_FILE));
                    case "truncate", "truncate64" -> fixed(s, Need.of(FsAccess.TRUNCATE));
                    case "mknod", "mknodat" -> mknods(s, k);
                    case "mkdir", "mkdirat" -> fixed(s, Need.of(FsAccess.MAKE_DIR));
                    case "symlink", "symlinkat" -> fixed(s, Need.of(FsAccess.MAKE_SYM));
                    case "unlink" -> fixed(s, Need.of(FsAccess.REMOVE_FILE));
                    case "rmdir" -> fixed(s, Need.of(FsAccess.REMOVE_DIR));
                    case "unlinkat" ->
                        new FsCall(
                                s,
                                List.of(bits(s, "flag", k.value("AT_REMOVEDIR").orElseThrow())),
                                f -> Need.of(f == 1 ? FsAccess.REMOVE_DIR : FsAccess.REMOVE_FILE));
                    case "rename", "renameat", "renameat2" -> fixed(s, Need.of(MAKES | REMOVES | FsAccess.REFER));
                    case "link" -> fixed(s, Need.of(MAKES | FsAccess.REFER));
                    case "linkat" ->
                        new FsCall(
                                s,
                                List.of(bits(
                                        s, "flags", k.value("AT_SYMLINK_FOLLOW").orElseThrow())),
                                f -> f == 1
                                        ? new Need(MAKES | FsAccess.REFER, false, EACCES, 0)
                                        : Need.of(MAKES | FsAccess.REFER));
                    case "mount", "umount", "umount2", "pivot_root", "move_mount" ->
                        fixed(s, new Need(0, false, 0, EPERM));
                    default -> null;
                });
    }

    /** {@code call}, failed with EACCES wherever it would be checked: there is no path for the supervisor. */
    private static FsCall unseen(FsCall call) {
        return new FsCall(call.syscall(), call.features(), f -> {
            Need n = call.need().apply(f);
            return n.rights() == 0 ? n : new Need(n.rights(), n.creates(), EACCES, 0);
        });
    }

    private static FsCall fixed(Syscall s, Need need) {
        return new FsCall(s, List.of(), f -> need);
    }

    /** Features, in this order: O_PATH, O_CREAT, O_WRONLY, O_RDWR, O_TRUNC, O_DIRECTORY. */
    private static FsCall opens(Syscall s, Constants k) {
        List<Cond> features = List.of("O_PATH", "O_CREAT", "O_WRONLY", "O_RDWR", "O_TRUNC", "O_DIRECTORY").stream()
                .map(name -> bits(s, "flags", k.value(name).orElseThrow()))
                .toList();
        return new FsCall(s, features, f -> {
            if ((f & 1) != 0) {
                return Need.NONE;
            }
            boolean creat = (f & 2) != 0;
            boolean wronly = (f & 4) != 0;
            boolean rdwr = (f & 8) != 0;
            long rights = 0;
            if (!wronly || rdwr) {
                rights |= (f & 32) != 0 ? FsAccess.READ_DIR : FsAccess.READ_FILE;
            }
            if (wronly || rdwr) {
                rights |= FsAccess.WRITE_FILE;
            }
            if ((f & 16) != 0) {
                rights |= FsAccess.TRUNCATE;
            }
            if (creat) {
                rights |= FsAccess.MAKE_REG;
            }
            return new Need(rights, creat, 0, 0);
        });
    }

    /** Features: the file type is S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK, or regular (S_IFREG or 0). */
    private static FsCall mknods(Syscall s, Constants k) {
        Param mode = s.param("mode").orElseThrow();
        long fmt = k.value("S_IFMT").orElseThrow();
        long[] rights = {FsAccess.MAKE_CHAR, FsAccess.MAKE_BLOCK, FsAccess.MAKE_FIFO, FsAccess.MAKE_SOCK};
        List<Cond> features = new java.util.ArrayList<>();
        for (String type : List.of("S_IFCHR", "S_IFBLK", "S_IFIFO", "S_IFSOCK")) {
            features.add(type(mode, fmt, k.value(type).orElseThrow()));
        }
        features.add(new Cond.Or(
                List.of(type(mode, fmt, 0), type(mode, fmt, k.value("S_IFREG").orElseThrow()))));
        return new FsCall(s, List.copyOf(features), f -> {
            for (int i = 0; i < rights.length; i++) {
                if ((f & (1 << i)) != 0) {
                    return Need.of(rights[i]);
                }
            }
            return (f & 16) != 0 ? Need.of(FsAccess.MAKE_REG) : Need.NONE; // any other type: the kernel's EINVAL
        });
    }

    private static Cond type(Param mode, long fmt, long value) {
        return new Cond.Test(mode.index(), mode.width(), fmt, Cond.Op.EQ, value);
    }

    /** Any of {@code mask}'s bits is set in the parameter {@code name}. */
    private static Cond bits(Syscall s, String name, long mask) {
        Param p = s.param(name).orElseThrow(() -> new IllegalStateException(s.name() + " has no parameter " + name));
        return new Cond.Test(p.index(), p.width(), mask, Cond.Op.ANY_BITS, 0);
    }
}
