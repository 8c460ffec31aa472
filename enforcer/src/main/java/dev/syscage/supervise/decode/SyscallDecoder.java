package dev.syscage.supervise.decode;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.DecodedCall;
import dev.syscage.supervise.DecodedCall.DecodedArg;
import dev.syscage.supervise.TargetMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decodes a syscall of one architecture the way strace prints it, for the audit log and for the
 * supervise rules that match paths: {@code openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC)},
 * with the path as given and as the kernel would resolve it (see {@link PathResolver}).
 *
 * <p>Everything about a syscall is worked out once, in the constructor: each argument's kind from
 * the syscall table and {@code argkinds.tsv}, and each flag and enum name table from the kernel
 * constants of the architecture and {@code namesets.tsv}. {@link #decode} then only reads the
 * target and formats; it is called for every routed syscall and never throws: memory that cannot
 * be read prints as the pointer, and an unknown number as {@code syscall_0x1c8(0x1, ...)}.
 * Instances are immutable and may be shared between threads.
 */
public final class SyscallDecoder {
    /** strace's default string limit ({@code -s 32}). */
    public static final int DEFAULT_MAX_STRING = 32;

    private static final int UNKNOWN_ARGS = 6;

    private final Arch arch;
    private final CallShape[] shapes;
    private final ArgFormatter formatter;
    private final long registerMask;
    private final int atFdcwd;
    private final long atEmptyPath;

    /** An architecture's name sets and call shapes, built once and shared (neither changes after loading). */
    private record Tables(NameSets sets, CallShape[] shapes) {}

    private static final Map<Arch, Tables> TABLES = new ConcurrentHashMap<>();

    private static Tables tables(Arch arch) {
        return TABLES.computeIfAbsent(arch, a -> {
            NameSets sets = NameSets.load(a);
            Map<Integer, CallShape> byNr = new ShapeBuilder(a, sets, ArgKindTable.get()).build();
            CallShape[] shapes = new CallShape
                    [byNr.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1];
            byNr.forEach((nr, shape) -> shapes[nr] = shape);
            return new Tables(sets, shapes);
        });
    }

    /** Builds {@code arch}'s tables now, so that the first decoder made for it is quick (start-up work). */
    public static void preload(Arch arch) {
        tables(arch);
    }

    public SyscallDecoder(Arch arch) {
        this(arch, DEFAULT_MAX_STRING);
    }

    /** @param maxString bytes of a string or buffer printed before {@code ...} (paths are never cut) */
    public SyscallDecoder(Arch arch, int maxString) {
        if (maxString < 1) {
            throw new IllegalArgumentException("maxString must be at least 1, not " + maxString);
        }
        this.arch = arch;
        Tables tables = tables(arch);
        NameSets sets = tables.sets();
        this.shapes = tables.shapes();
        this.formatter = new ArgFormatter(arch, sets, maxString);
        this.registerMask = arch.registerBits() == 32 ? 0xffffffffL : -1L;
        this.atFdcwd = (int) sets.value("AT_FDCWD");
        this.atEmptyPath = sets.value("AT_EMPTY_PATH");
    }

    public Arch arch() {
        return arch;
    }

    /** The syscall's name, or {@code syscall_0x1c8} for a number the table does not know. */
    public String name(int nr) {
        CallShape s = shape(nr);
        return s != null ? s.name() : unknownName(nr);
    }

    /** Whether syscall {@code nr} names a path the decoder reads (and path rules can match). */
    public boolean namesPath(int nr) {
        CallShape s = shape(nr);
        return s != null && s.path() >= 0;
    }

    /**
     * Decodes one call. {@code args} are the raw registers (missing ones read as 0); {@code mem}
     * reads the stopped target (null reads nothing).
     */
    public DecodedCall decode(int nr, long[] args, TargetMemory mem) {
        CallShape shape = shape(nr);
        try {
            return shape == null ? unknown(nr, args) : decode(shape, args, mem == null ? NoMemory.INSTANCE : mem);
        } catch (RuntimeException e) {
            // a decoder bug or a TargetMemory that throws must not stop the supervisor: raw registers
            return raw(
                    shape == null ? unknownName(nr) : shape.name(),
                    args,
                    shape == null ? UNKNOWN_ARGS : shape.args().size());
        }
    }

    private CallShape shape(int nr) {
        return nr >= 0 && nr < shapes.length ? shapes[nr] : null;
    }

    private DecodedCall decode(CallShape shape, long[] args, TargetMemory mem) {
        List<ArgSpec> specs = shape.args();
        long[] values = new long[specs.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = specs.get(i).value(register(args, i));
        }
        ArgFormatter.Found found = new ArgFormatter.Found();
        List<DecodedArg> out = new ArrayList<>(values.length);
        for (ArgSpec a : specs) {
            String text = formatter.format(a, values, mem, found);
            if (text != null) {
                out.add(new DecodedArg(a.name(), a.kind().word(), values[a.index()], text));
            }
        }
        if (found.path != null || shape.path2() >= 0) {
            // a second path (rename, link: the destination) is resolved as the kernel would find it too
            List<Optional<String>> given = shape.path2() < 0 ? List.of() : List.of(Optional.ofNullable(found.path2));
            List<Optional<String>> others = shape.path2() < 0
                    ? List.of()
                    : List.of(
                            found.path2 == null || found.path2.isEmpty()
                                    ? Optional.empty()
                                    : PathResolver.resolve(
                                            found.path2,
                                            found.path2.startsWith("/")
                                                    ? Optional.empty()
                                                    : base(shape.dirfd2(), values, mem)));
            return new DecodedCall(
                    shape.name(),
                    out,
                    Optional.ofNullable(found.path),
                    found.path == null ? Optional.empty() : resolve(shape, values, found.path, mem),
                    given,
                    others);
        }
        if (found.unixPath != null) {
            return new DecodedCall(
                    shape.name(),
                    out,
                    Optional.of(found.unixPath),
                    PathResolver.resolve(
                            found.unixPath, found.unixPath.startsWith("/") ? Optional.empty() : mem.cwd()));
        }
        return new DecodedCall(shape.name(), out, Optional.empty(), Optional.empty());
    }

    /**
     * The path as the kernel would look it up: absolute as is; relative to the dirfd, or to the
     * cwd when there is none or it is AT_FDCWD; empty with AT_EMPTY_PATH is the dirfd itself
     * (without AT_EMPTY_PATH the kernel fails with ENOENT, so nothing resolves).
     */
    private Optional<String> resolve(CallShape shape, long[] values, String path, TargetMemory mem) {
        if (path.isEmpty()) {
            boolean emptyPath = shape.atFlags() >= 0 && (values[shape.atFlags()] & atEmptyPath) != 0;
            return emptyPath
                    ? base(shape, values, mem).filter(b -> b.startsWith("/")).map(PathResolver::fold)
                    : Optional.empty();
        }
        return PathResolver.resolve(path, path.startsWith("/") ? Optional.empty() : base(shape, values, mem));
    }

    private Optional<String> base(CallShape shape, long[] values, TargetMemory mem) {
        return base(shape.dirfd(), values, mem);
    }

    /** The directory a relative path is taken from: argument {@code dirfd}'s, or the cwd. */
    private Optional<String> base(int dirfd, long[] values, TargetMemory mem) {
        if (dirfd < 0 || (int) values[dirfd] == atFdcwd) {
            return mem.cwd();
        }
        return mem.fdPath((int) values[dirfd]);
    }

    private long register(long[] args, int i) {
        return args != null && i < args.length ? args[i] & registerMask : 0;
    }

    private DecodedCall unknown(int nr, long[] args) {
        return raw(unknownName(nr), args, UNKNOWN_ARGS);
    }

    /** Every argument in hex: for numbers the table does not know, and the last resort. */
    private DecodedCall raw(String name, long[] args, int count) {
        List<DecodedArg> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long v = register(args, i);
            out.add(new DecodedArg("arg" + i, ArgKind.HEX.word(), v, Text.hex(v)));
        }
        return new DecodedCall(name, out, Optional.empty(), Optional.empty());
    }

    private static String unknownName(int nr) {
        return "syscall_0x" + Integer.toHexString(nr);
    }
}
