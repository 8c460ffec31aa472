package dev.syscage.supervise.decode;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Param;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Works out every syscall's {@link CallShape} for one architecture, once: the kind of each
 * argument comes from {@code argkinds.tsv} where a line names it, else from the parameter's name
 * and C type in the syscall table (the rules in {@link #defaultKind}).
 */
final class ShapeBuilder {
    /** {@code const char *} parameters with these names are paths. */
    private static final Set<String> PATH_NAMES = Set.of(
            "filename",
            "pathname",
            "path",
            "oldname",
            "newname",
            "from_pathname",
            "to_pathname",
            "specialfile",
            "new_root",
            "put_old",
            "library",
            "special");
    /** Directory descriptors of the *at() calls ("oldfd" of dup2 is not one). */
    private static final Set<String> DIRFD_NAMES = Set.of("dfd", "olddfd", "newdfd", "from_dfd", "to_dfd");
    /** Integer parameters with these names hold user-space addresses. */
    private static final Set<String> ADDRESS_NAMES =
            Set.of("addr", "start", "brk", "newsp", "tls", "new_addr", "uaddr", "shmaddr");
    /** Integer parameters with these names are bit masks (hex until argkinds.tsv names their bits). */
    private static final Set<String> MASK_NAMES = Set.of(
            "flags",
            "flag",
            "at_flags",
            "options",
            "unshare_flags",
            "swap_flags",
            "event_f_flags",
            "attr_flags",
            "mask",
            "arg2",
            "arg3",
            "arg4",
            "arg5");

    private static final Set<String> SIGNED_TYPES = Set.of(
            "int",
            "long",
            "long long",
            "signed int",
            "pid_t",
            "loff_t",
            "off_t",
            "s32",
            "__s32",
            "s64",
            "__s64",
            "clockid_t",
            "key_serial_t",
            "timer_t",
            "mqd_t",
            "rwf_t",
            "ssize_t",
            "key_t");

    private final Arch arch;
    private final NameSets sets;
    private final ArgKindTable table;

    ShapeBuilder(Arch arch, NameSets sets, ArgKindTable table) {
        this.arch = arch;
        this.sets = sets;
        this.table = table;
    }

    /** A shape for every syscall of the architecture's table, by number. */
    Map<Integer, CallShape> build() {
        Map<Integer, CallShape> shapes = new HashMap<>();
        for (Syscall s : SyscallTable.of(arch).all()) {
            shapes.put(s.nr(), shape(s));
        }
        return shapes;
    }

    CallShape shape(Syscall s) {
        // a line naming a parameter this arch's version lacks (i386's mmap takes one struct) does
        // not apply here; ArgKindTableTest checks that each line applies on some arch
        Map<String, ArgKindTable.Override> overrides = table.of(s.name());
        List<ArgSpec> args = new ArrayList<>();
        for (Param p : s.params()) {
            ArgKindTable.Override o = overrides.get(p.name());
            ArgKind kind = o != null ? o.kind() : defaultKind(p);
            args.add(spec(s, p, kind, o));
        }
        int path = indexOf(args, ArgKind.PATH);
        int dirfd = path > 0 && args.get(path - 1).kind() == ArgKind.DIRFD ? path - 1 : -1;
        int atFlags = -1;
        for (ArgSpec a : args) {
            if (atFlags < 0 && a.kind() == ArgKind.FLAGS && a.set().containsName("AT_EMPTY_PATH")) {
                atFlags = a.index();
            }
        }
        int path2 = path < 0 ? -1 : indexOf(args.subList(path + 1, args.size()), ArgKind.PATH);
        int dirfd2 = path2 > 0 && args.get(path2 - 1).kind() == ArgKind.DIRFD ? path2 - 1 : -1;
        return new CallShape(s.name(), args, path, dirfd, atFlags, path2, dirfd2);
    }

    private ArgSpec spec(Syscall s, Param p, ArgKind kind, ArgKindTable.Override o) {
        NameSet set = null;
        int ref = -1;
        if (kind.detail() == ArgKind.Detail.SET) {
            set = sets.resolve(o.detail(), kind == ArgKind.ENUM ? NameSet.Type.ENUM : NameSet.Type.FLAGS, o.where());
        } else if (kind.detail() == ArgKind.Detail.ARG) {
            ref = s.params().stream()
                    .filter(q -> q.name().equals(o.detail()))
                    .mapToInt(Param::index)
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(o.where() + ": " + s.name() + " has no parameter '"
                            + o.detail() + "' on " + arch + " for " + kind.word()));
        }
        return new ArgSpec(p.index(), p.name(), kind, p.width(), isSigned(p.ctype()), set, ref);
    }

    /**
     * The kind a parameter has when argkinds.tsv does not say: pointers are addresses, except
     * {@code const char *} (a path when its name says so, else a string); {@code dfd},
     * {@code olddfd}, ... are directory descriptors and {@code *fd} descriptors; {@code umode_t}
     * a mode; integers named like addresses are addresses, named like masks hex; the rest decimal.
     */
    static ArgKind defaultKind(Param p) {
        String type = p.ctype().replace("const ", "").strip();
        String name = p.name();
        if (type.contains("*")) {
            if (type.equals("char *") && PATH_NAMES.contains(name)) {
                return ArgKind.PATH;
            }
            return p.ctype().strip().equals("const char *") ? ArgKind.STRING : ArgKind.POINTER;
        }
        if (DIRFD_NAMES.contains(name)) {
            return ArgKind.DIRFD;
        }
        if (name.endsWith("fd")
                || name.startsWith("fd_")
                || name.equals("fildes")
                || name.equals("fdin")
                || name.equals("fdout")) {
            return ArgKind.FD;
        }
        if (type.equals("umode_t")) {
            return ArgKind.MODE;
        }
        if (ADDRESS_NAMES.contains(name)) {
            return ArgKind.POINTER;
        }
        return MASK_NAMES.contains(name) ? ArgKind.HEX : ArgKind.INT;
    }

    static boolean isSigned(String ctype) {
        String t = ctype.replace("const ", "").strip();
        return !t.contains("*") && (SIGNED_TYPES.contains(t) || t.startsWith("enum "));
    }

    private static int indexOf(List<ArgSpec> args, ArgKind kind) {
        for (ArgSpec a : args) {
            if (a.kind() == kind) {
                return a.index();
            }
        }
        return -1;
    }
}
