package dev.syscage.supervise.decode;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.TargetMemory;
import java.util.Optional;

/**
 * Turns one argument into strace's text, reading the target's memory where the kind says so.
 * Never throws for a bad value: memory that cannot be read prints as the pointer. Paths and
 * AF_UNIX socket paths it reads are left in the call's {@link Found} for path resolution.
 */
final class ArgFormatter {

    /**
     * What formatting one call found on the way: the first path argument (null when it could not
     * be read; a later path argument does not take its place), the second one likewise, and an
     * AF_UNIX socket path.
     */
    static final class Found {
        boolean pathSeen;
        String path;
        boolean path2Seen;
        String path2;
        String unixPath;
    }

    private final int maxString;
    private final int pointerBytes;
    private final NameSet signals;
    private final NameSet cloneFlags;
    private final NameSet openFlags;
    private final NameSet resolveFlags;
    private final NameSet fileTypes;
    private final SockaddrText sockaddr;
    private final long atFdcwd;
    private final long oCreat;
    private final long oTmpfile;
    private final long sigRtMin;
    private final long sigRtMax;
    private final long cSignal;
    private final long sIfmt;

    ArgFormatter(Arch arch, NameSets sets, int maxString) {
        this.maxString = maxString;
        this.pointerBytes = arch.registerBits() / 8;
        String where = NameSets.RESOURCE;
        this.signals = sets.resolve("signals", NameSet.Type.ENUM, where);
        this.cloneFlags = sets.resolve("clone_flags", NameSet.Type.FLAGS, where);
        this.openFlags = sets.resolve("open_flags", NameSet.Type.FLAGS, where);
        this.resolveFlags = sets.resolve("resolve_flags", NameSet.Type.FLAGS, where);
        this.fileTypes = sets.resolve("file_types", NameSet.Type.ENUM, where);
        this.sockaddr = new SockaddrText(sets);
        this.atFdcwd = sets.value("AT_FDCWD");
        this.oCreat = sets.value("O_CREAT");
        this.oTmpfile = sets.value("O_TMPFILE");
        this.sigRtMin = sets.value("SIGRTMIN");
        this.sigRtMax = sets.value("SIGRTMAX");
        this.cSignal = sets.value("CSIGNAL");
        this.sIfmt = sets.value("S_IFMT");
    }

    /** The argument's text, or null when strace leaves it out (open's mode without O_CREAT). */
    String format(ArgSpec a, long[] values, TargetMemory mem, Found found) {
        long v = values[a.index()];
        return switch (a.kind()) {
            case INT -> a.signed() ? Long.toString(v) : Long.toUnsignedString(v);
            case HEX -> Text.hex(unsigned(a, v));
            case POINTER -> Text.pointer(unsigned(a, v));
            case FD -> Integer.toString((int) v);
            case DIRFD -> (int) v == (int) atFdcwd ? "AT_FDCWD" : Integer.toString((int) v);
            case PATH -> path(unsigned(a, v), mem, found);
            case STRING -> string(unsigned(a, v), mem);
            case STRING_ARRAY -> stringArray(unsigned(a, v), mem);
            case BUFFER -> buffer(unsigned(a, v), values[a.ref()], mem);
            case SOCKADDR -> sockaddr(unsigned(a, v), values[a.ref()], mem, found);
            case MODE -> mode(unsigned(a, v));
            case OPEN_MODE -> opensWithMode(values[a.ref()]) ? mode(unsigned(a, v)) : null;
            case OPEN_HOW -> openHow(unsigned(a, v), values[a.ref()], mem);
            case FLAGS, ENUM -> a.set().format(unsigned(a, v));
            case SIGNAL -> signal((int) v);
            case CLONE_FLAGS -> cloneFlags(unsigned(a, v));
        };
    }

    private static long unsigned(ArgSpec a, long v) {
        return a.width() >= 64 ? v : v & ((1L << a.width()) - 1);
    }

    private String path(long address, TargetMemory mem, Found found) {
        Optional<String> s = address == 0 ? Optional.empty() : mem.readPath(address);
        if (!found.pathSeen) {
            found.pathSeen = true;
            found.path = s.orElse(null);
        } else if (!found.path2Seen) {
            found.path2Seen = true;
            found.path2 = s.orElse(null);
        }
        return s.map(p -> Text.quote(p, Integer.MAX_VALUE)).orElseGet(() -> Text.pointer(address));
    }

    private String string(long address, TargetMemory mem) {
        if (address == 0) {
            return "NULL";
        }
        return mem.readString(address, maxString + 1)
                .map(s -> Text.quote(s, maxString))
                .orElseGet(() -> Text.pointer(address));
    }

    /** {@code ["ls", "-l"]}: at most maxString elements, then {@code ...}. */
    private String stringArray(long address, TargetMemory mem) {
        if (address == 0) {
            return "NULL";
        }
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i <= maxString; i++) {
            Optional<byte[]> slot = mem.read(address + (long) i * pointerBytes, pointerBytes);
            if (slot.isEmpty()) {
                return Text.pointer(address);
            }
            long element = littleEndian(slot.get());
            if (element == 0) {
                return sb.append(']').toString();
            }
            sb.append(i == 0 ? "" : ", ");
            if (i == maxString) {
                return sb.append("...]").toString();
            }
            sb.append(string(element, mem));
        }
        return sb.append(']').toString();
    }

    private String buffer(long address, long count, TargetMemory mem) {
        if (address == 0) {
            return "NULL";
        }
        boolean cut = Long.compareUnsigned(count, maxString) > 0;
        int n = cut ? maxString : (int) count;
        if (n == 0) {
            return cut ? "\"\"..." : "\"\"";
        }
        return mem.read(address, n)
                .map(b -> Text.quote(b, Math.min(n, b.length), cut))
                .orElseGet(() -> Text.pointer(address));
    }

    private String sockaddr(long address, long length, TargetMemory mem, Found found) {
        SockaddrText.Decoded d = sockaddr.decode(address, length, mem);
        if (found.unixPath == null && d.unixPath().isPresent()) {
            found.unixPath = d.unixPath().get();
        }
        return d.text();
    }

    /** {@code 0644}, or with the file type bits named: {@code S_IFCHR|0600}. */
    String mode(long v) {
        long type = v & sIfmt;
        String perm = Text.octal(v & ~sIfmt);
        if (type == 0) {
            return perm;
        }
        return fileTypes.format(type) + "|" + perm;
    }

    private boolean opensWithMode(long flags) {
        return (flags & oCreat) != 0 || (flags & oTmpfile) == oTmpfile;
    }

    /** struct open_how { u64 flags; u64 mode; u64 resolve; }. */
    private String openHow(long address, long size, TargetMemory mem) {
        if (address == 0) {
            return "NULL";
        }
        Optional<byte[]> b = Long.compareUnsigned(size, 24) < 0 ? Optional.empty() : mem.read(address, 24);
        if (b.isEmpty()) {
            return Text.pointer(address);
        }
        long flags = littleEndian(b.get(), 0, 8);
        long mode = littleEndian(b.get(), 8, 8);
        long resolve = littleEndian(b.get(), 16, 8);
        StringBuilder sb = new StringBuilder("{flags=").append(openFlags.format(flags));
        if (opensWithMode(flags) || mode != 0) {
            sb.append(", mode=").append(mode(mode));
        }
        if (resolve != 0) {
            sb.append(", resolve=").append(resolveFlags.format(resolve));
        }
        return sb.append('}').toString();
    }

    /** {@code SIGTERM}; real-time signals as {@code SIGRTMIN} and {@code SIGRT_n}; else decimal. */
    String signal(int sig) {
        String name = sig == 0 ? null : signals.name(sig);
        if (name != null) {
            return name;
        }
        if (sig == sigRtMin) {
            return "SIGRTMIN";
        }
        if (sig > sigRtMin && sig <= sigRtMax) {
            return "SIGRT_" + (sig - sigRtMin);
        }
        return Integer.toString(sig);
    }

    private String cloneFlags(long v) {
        long sig = v & cSignal;
        long rest = v & ~cSignal;
        if (rest == 0) {
            return sig == 0 ? "0" : signal((int) sig);
        }
        String flags = cloneFlags.format(rest);
        return sig == 0 ? flags : flags + "|" + signal((int) sig);
    }

    private static long littleEndian(byte[] b) {
        return littleEndian(b, 0, b.length);
    }

    private static long littleEndian(byte[] b, int at, int length) {
        long v = 0;
        for (int i = length - 1; i >= 0; i--) {
            v = v << 8 | (b[at + i] & 0xff);
        }
        return v;
    }
}
