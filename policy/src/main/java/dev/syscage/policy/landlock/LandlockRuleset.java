package dev.syscage.policy.landlock;

import dev.syscage.policy.diag.SourcePos;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a policy asks of Landlock, lowered to the kernel's terms: the rights the domain handles
 * (anything handled and not granted by a rule is denied), the rules that grant rights beneath a
 * path or on a TCP port, and the scopes. {@link #NONE} handles nothing: no domain is made.
 *
 * <p>The launcher takes it in the text form {@link #serialize()} writes (docs/launcher.md,
 * "The Landlock ruleset file"); {@link #parse} reads that form back.
 *
 * @param handledFs  LANDLOCK_ACCESS_FS_* bits the domain handles
 * @param handledNet LANDLOCK_ACCESS_NET_* bits the domain handles
 * @param scoped     LANDLOCK_SCOPE_* bits
 * @param paths      path-beneath rules; each rule's access is a subset of {@code handledFs}
 * @param ports      port rules; each rule's access is a subset of {@code handledNet}
 * @param compat     what to do on a kernel that cannot enforce all of it
 * @param pos        where the first section that makes the domain is written (the top file's,
 *                   else an included file's), for messages about the sections as a whole; null
 *                   for a ruleset not loaded from a policy. Not part of the text form.
 */
public record LandlockRuleset(
        long handledFs,
        long handledNet,
        long scoped,
        List<PathRule> paths,
        List<PortRule> ports,
        Compat compat,
        SourcePos pos) {

    /** No Landlock domain. */
    public static final LandlockRuleset NONE = new LandlockRuleset(0, 0, 0, List.of(), List.of(), Compat.REQUIRED);

    /** The first line of the text form. */
    public static final String MAGIC = "syscage-landlock 1";

    public LandlockRuleset {
        paths = List.copyOf(paths);
        ports = List.copyOf(ports);
        Objects.requireNonNull(compat);
        for (PathRule r : paths) {
            if ((r.access() & ~handledFs) != 0) {
                throw new IllegalArgumentException(
                        "path rule " + r.path() + " grants rights the ruleset does not handle");
            }
        }
        for (PortRule r : ports) {
            if ((r.access() & ~handledNet) != 0) {
                throw new IllegalArgumentException(
                        "port rule " + r.port() + " grants rights the ruleset does not handle");
            }
        }
    }

    /** A ruleset with no position (not loaded from a policy). */
    public LandlockRuleset(
            long handledFs, long handledNet, long scoped, List<PathRule> paths, List<PortRule> ports, Compat compat) {
        this(handledFs, handledNet, scoped, paths, ports, compat, null);
    }

    /** How a kernel with less Landlock than the policy asks for is handled. */
    public enum Compat {
        /** Refuse to run (the launcher exits 125, {@code run} exits 2 before starting anything). */
        REQUIRED,
        /** Drop what the kernel cannot enforce, with a warning that names it. */
        BEST_EFFORT;

        public String word() {
            return this == REQUIRED ? "required" : "best-effort";
        }
    }

    /** Grants {@code access} beneath {@code path}; {@code optional}: a missing path is skipped, not an error. */
    public record PathRule(String path, long access, boolean optional, SourcePos pos) {
        public PathRule {
            Objects.requireNonNull(path);
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("Landlock path rule needs an absolute path: " + path);
            }
        }
    }

    /** Grants {@code access} (bind, connect) on TCP port {@code port}. */
    public record PortRule(long access, int port, SourcePos pos) {
        public PortRule {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port);
            }
        }
    }

    /** Whether there is no domain to make. */
    public boolean isEmpty() {
        return handledFs == 0 && handledNet == 0 && scoped == 0;
    }

    /** The first ABI version that enforces all of it (0 when empty). */
    public int abiNeeded() {
        return isEmpty() ? 0 : Abi.needed(handledFs, handledNet, scoped);
    }

    /**
     * This ruleset as a kernel of {@code abi} can enforce it: rights and scopes it lacks are left out
     * of the handled sets and of every rule, and named in {@link Negotiated#dropped}. Whether that is
     * acceptable is {@link #compat}'s question, asked by the caller.
     */
    public Negotiated negotiate(Abi abi) {
        long fs = handledFs & abi.fsMask();
        long net = handledNet & abi.netMask();
        long sc = scoped & abi.scopeMask();
        List<String> dropped = new ArrayList<>();
        FsAccess.names(handledFs & ~fs).forEach(n -> dropped.add("fs." + n));
        if ((handledNet & ~net & NetAccess.BIND_TCP) != 0) {
            dropped.add("net.bind_tcp");
        }
        if ((handledNet & ~net & NetAccess.CONNECT_TCP) != 0) {
            dropped.add("net.connect_tcp");
        }
        Scope.names(scoped & ~sc).forEach(n -> dropped.add("scope." + n));
        List<PathRule> p = new ArrayList<>();
        for (PathRule r : paths) {
            if ((r.access() & fs) != 0) {
                p.add(new PathRule(r.path(), r.access() & fs, r.optional(), r.pos()));
            }
        }
        List<PortRule> q = new ArrayList<>();
        for (PortRule r : ports) {
            if ((r.access() & net) != 0) {
                q.add(new PortRule(r.access() & net, r.port(), r.pos()));
            }
        }
        return new Negotiated(new LandlockRuleset(fs, net, sc, p, q, compat, pos), List.copyOf(dropped));
    }

    /** A ruleset cut to a kernel's ABI, and the rights and scopes left out ({@code fs.refer}, ...). */
    public record Negotiated(LandlockRuleset ruleset, List<String> dropped) {}

    /**
     * The text form the launcher reads:
     * <pre>
     * syscage-landlock 1
     * compat required|best-effort
     * fs 0xHEX
     * net 0xHEX
     * scope 0xHEX
     * path 0xHEX required|optional PATH     (PATH percent-encoded: bytes outside '!'..'~', and '%')
     * port 0xHEX PORT
     * end
     * </pre>
     */
    public String serialize() {
        StringBuilder b = new StringBuilder();
        b.append(MAGIC).append('\n');
        b.append("compat ").append(compat.word()).append('\n');
        b.append("fs 0x").append(Long.toHexString(handledFs)).append('\n');
        b.append("net 0x").append(Long.toHexString(handledNet)).append('\n');
        b.append("scope 0x").append(Long.toHexString(scoped)).append('\n');
        for (PathRule r : paths) {
            b.append("path 0x")
                    .append(Long.toHexString(r.access()))
                    .append(r.optional() ? " optional " : " required ")
                    .append(encode(r.path()))
                    .append('\n');
        }
        for (PortRule r : ports) {
            b.append("port 0x")
                    .append(Long.toHexString(r.access()))
                    .append(' ')
                    .append(r.port())
                    .append('\n');
        }
        b.append("end\n");
        return b.toString();
    }

    /** The bytes of {@link #serialize()}. */
    public byte[] toBytes() {
        return serialize().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads the text form back.
     *
     * @throws IllegalArgumentException naming the line, for anything but what {@link #serialize} writes
     */
    public static LandlockRuleset parse(String text) {
        String[] lines = text.split("\n", -1);
        if (lines.length < 2 || !lines[0].equals(MAGIC)) {
            throw new IllegalArgumentException("line 1: expected '" + MAGIC + "'");
        }
        Compat compat = null;
        long fs = -1;
        long net = -1;
        long sc = -1;
        List<PathRule> paths = new ArrayList<>();
        List<PortRule> ports = new ArrayList<>();
        boolean ended = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (ended) {
                if (!(i == lines.length - 1 && line.isEmpty())) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": text after 'end'");
                }
                continue;
            }
            String[] f = line.split(" ", -1);
            try {
                switch (f[0]) {
                    case "compat" ->
                        compat = f[1].equals("required")
                                ? Compat.REQUIRED
                                : f[1].equals("best-effort") ? Compat.BEST_EFFORT : badValue(f[1]);
                    case "fs" -> fs = hex(f[1]);
                    case "net" -> net = hex(f[1]);
                    case "scope" -> sc = hex(f[1]);
                    case "path" ->
                        paths.add(new PathRule(
                                decode(f[3]),
                                hex(f[1]),
                                f[2].equals("optional") || (!f[2].equals("required") && badValue(f[2]) != null),
                                null));
                    case "port" -> ports.add(new PortRule(hex(f[1]), Integer.parseInt(f[2]), null));
                    case "end" -> ended = true;
                    default -> throw new IllegalArgumentException("unknown keyword '" + f[0] + "'");
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        if (!ended || compat == null || fs < 0 || net < 0 || sc < 0) {
            throw new IllegalArgumentException("incomplete ruleset (no 'end', or a header line missing)");
        }
        return new LandlockRuleset(fs, net, sc, paths, ports, compat);
    }

    private static <T> T badValue(String v) {
        throw new IllegalArgumentException("unexpected '" + v + "'");
    }

    private static long hex(String s) {
        if (!s.startsWith("0x")) {
            throw new IllegalArgumentException("expected 0xHEX, got '" + s + "'");
        }
        return Long.parseUnsignedLong(s.substring(2), 16);
    }

    /** Percent-encodes the bytes of {@code path} (UTF-8) outside '!'..'~', and '%'. */
    static String encode(String path) {
        StringBuilder b = new StringBuilder();
        for (byte x : path.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c > 0x20 && c < 0x7f && c != '%') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            }
        }
        return b.toString();
    }

    static String decode(String s) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
