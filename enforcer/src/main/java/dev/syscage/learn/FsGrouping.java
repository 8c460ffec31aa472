package dev.syscage.learn;

import static dev.syscage.policy.landlock.FsAccess.EXECUTE;
import static dev.syscage.policy.landlock.FsAccess.FILE_RIGHTS;
import static dev.syscage.policy.landlock.FsAccess.IOCTL_DEV;
import static dev.syscage.policy.landlock.FsAccess.READ_DIR;
import static dev.syscage.policy.landlock.FsAccess.READ_FILE;
import static dev.syscage.policy.landlock.FsAccess.REFER;
import static dev.syscage.policy.landlock.FsAccess.TRUNCATE;
import static dev.syscage.policy.landlock.FsAccess.WRITE_FILE;

import dev.syscage.learn.Footprint.Touch;
import dev.syscage.policy.landlock.FsAccess;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Groups a {@link Footprint} into a few {@code filesystem:} rules a person can read (docs/learn.md,
 * "The file-system section", says the same in prose):
 *
 * <ol>
 * <li>The system trees ({@link #SYSTEM}) get read and execute, each as a whole, when touched.
 * <li>{@code /proc} and {@code /sys} get what was done beneath them, as a whole.
 * <li>Device files are rules of their own, one file each ({@code /dev/null}); {@code /dev/pts}
 *     is one rule for every terminal.
 * <li>Other reads and executes: each file stands for its directory; directories with the same
 *     first {@value #MIN_DEPTH} components are one rule on their deepest common directory
 *     ({@code /opt/app/lib} and {@code /opt/app/share} give {@code /opt/app}). A file directly
 *     in a shallower directory ({@code /tmp/x}) is a rule of its own, and listing such a directory
 *     gives only {@code read_dir} there.
 * <li>Writes, creates, removes, renames: on the directory written into, never one level higher
 *     than needed; a write to a file of a system tree or of the root stays a rule on that file.
 * </ol>
 *
 * A rule can only be bound to a path that is there when the next run starts, so a directory the
 * run made (or removed) gives way to the nearest one that was there before and still is. Then
 * rules on the same path are joined, a rule beneath another that grants all it grants is folded
 * into it, and rules that grant the same rights are written as one. Paths under {@code /tmp},
 * {@code /var/tmp}, {@code /dev/shm}, {@code /run/user} and the home directory are optional.
 */
public final class FsGrouping {
    /** Read and executed from as shipped: one rule each, read and execute, when touched. */
    public static final List<String> SYSTEM =
            List.of("/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc");
    /** Kernel file systems: one rule each for whatever was done beneath. */
    public static final List<String> KERNEL = List.of("/proc", "/sys");
    /** Directories with at least this many components group the reads beneath them. */
    public static final int MIN_DEPTH = 2;

    private static final long READ = READ_FILE | READ_DIR;
    private static final long SYSTEM_RIGHTS = READ | EXECUTE;
    private static final long CREATE = FsAccess.WORDS.get("create");
    private static final long REMOVE = FsAccess.WORDS.get("remove");
    private static final long DEVICE = FsAccess.WORDS.get("make-device");

    /** What the grouping asks of the machine: whether a path is there now, and where home is. */
    public record Places(Predicate<String> exists, Optional<String> home) {
        public static Places ofThisMachine() {
            String home = System.getProperty("user.home");
            return new Places(
                    p -> Files.exists(Path.of(p), LinkOption.NOFOLLOW_LINKS),
                    home == null || home.equals("/") || !home.startsWith("/") ? Optional.empty() : Optional.of(home));
        }
    }

    /**
     * One path of a rule: how many accesses it covers (see {@link Touch}), to how many distinct
     * paths recorded, and a note for the reader ("system tree", ...; empty for none).
     */
    public record Covered(String path, long accesses, int paths, String note) {}

    /** One {@code allow} rule: paths sorted, {@code FsAccess} bits, optional. */
    public record Rule(List<Covered> paths, long access, boolean optional) {
        public Rule {
            paths = List.copyOf(paths);
        }
    }

    /** The rules, and what was left out on purpose (a write directly in '/', ...), for comments and warnings. */
    public record Grouped(List<Rule> rules, List<String> leftOut) {
        public Grouped {
            rules = List.copyOf(rules);
            leftOut = List.copyOf(leftOut);
        }
    }

    /** A rule being built: rights, accesses and recorded paths covered, whether it names a file, a note. */
    private static final class Acc {
        long access;
        long accesses;
        final Set<String> paths = new HashSet<>();
        boolean file;
        String note = "";

        void add(long bits, long n, String path) {
            access |= bits;
            accesses += n;
            paths.add(path);
        }

        void take(Acc other) {
            accesses += other.accesses;
            paths.addAll(other.paths);
        }
    }

    private final Footprint seen;
    private final Places places;
    private final Map<String, Acc> rules = new TreeMap<>();
    /** Reads grouped by their first {@value #MIN_DEPTH} components: the directories, and the rule being built. */
    private final Map<String, List<String>> clusters = new TreeMap<>();

    private final Map<String, Acc> clusterAcc = new TreeMap<>();
    private final List<String> leftOut = new ArrayList<>();

    private FsGrouping(Footprint seen, Places places) {
        this.seen = seen;
        this.places = places;
    }

    public static Grouped group(Footprint seen, Places places) {
        return new FsGrouping(seen, places).run();
    }

    private Grouped run() {
        seen.touches().forEach(this::place);
        clusters.forEach((prefix, dirs) -> {
            String common = dirs.stream().reduce(dirs.get(0), FsGrouping::commonDir);
            rule(common, false, "").ifPresent(a -> {
                Acc c = clusterAcc.get(prefix);
                a.access |= c.access;
                a.take(c);
            });
        });
        fold();
        return new Grouped(join(), leftOut);
    }

    /** Where one recorded path's rights go: reads and changes may go to different rules. */
    private void place(String path, Touch t) {
        long bits = widen(t.access());
        long reads = bits & (READ | EXECUTE);
        String system = under(path, SYSTEM);
        String kernel = under(path, KERNEL);
        if (system != null) {
            if (reads != 0) {
                add(system, SYSTEM_RIGHTS, t.reads(), path, false, "system tree");
            }
            write(path, bits & ~reads, t);
        } else if (kernel != null) {
            add(kernel, bits, t.accesses(), path, false, "");
        } else if (path.equals("/dev/pts") || path.startsWith("/dev/pts/")) {
            add("/dev/pts", bits, t.accesses(), path, false, "terminals");
        } else if (path.startsWith("/dev/") && !t.directory() && isThere(path)) {
            add(path, bits, t.accesses(), path, true, "");
        } else {
            read(path, t.access() & (READ | EXECUTE), t);
            write(path, bits & ~reads, t);
        }
    }

    private void read(String path, long raw, Touch t) {
        if (raw == 0) {
            return;
        }
        long bits = widen(raw);
        String key = lift(t.directory() ? path : RealPaths.parentOf(path));
        if (depth(key) >= MIN_DEPTH) {
            String prefix = prefix(key);
            clusters.computeIfAbsent(prefix, k -> new ArrayList<>()).add(key);
            clusterAcc.computeIfAbsent(prefix, k -> new Acc()).add(bits, t.reads(), path);
        } else if (!t.directory() && isThere(path)) {
            add(path, bits, t.reads(), path, true, ""); // a file directly in / or in /tmp: that file
        } else if (t.directory() && key.equals(path) && raw == READ_DIR) {
            add(key, READ_DIR, t.reads(), path, false, ""); // listed: /, /tmp, /home
        } else if (key.equals("/")) {
            leftOut.add(String.join(", ", words(bits)) + " of " + path + ", which will not be there ("
                    + accesses(t.reads()) + ")");
        } else {
            add(key, bits, t.reads(), path, false, "");
        }
    }

    private void write(String path, long bits, Touch t) {
        if (bits == 0) {
            return;
        }
        String anchor;
        boolean file = false;
        if (t.directory()) {
            anchor = lift(path);
        } else if (!isThere(path)) {
            anchor = lift(RealPaths.parentOf(path));
        } else if (RealPaths.parentOf(path).equals("/") || under(path, SYSTEM) != null || path.startsWith("/dev/")) {
            anchor = path;
            file = true;
        } else {
            anchor = lift(RealPaths.parentOf(path));
        }
        if (anchor.equals("/")) {
            leftOut.add(String.join(", ", words(bits)) + " in / (" + accesses(t.changes())
                    + (t.directory() ? "" : " to " + path) + ")");
            return;
        }
        add(anchor, bits, t.changes(), path, file, "");
    }

    /** Grants {@code bits} on {@code where} for {@code n} accesses to {@code path}. */
    private void add(String where, long bits, long n, String path, boolean isFile, String note) {
        // a rule on a file keeps the file's rights; read_dir rides along so that it reads "read"
        // (the launcher keeps only file rights on a file, docs/policy.md)
        long b = isFile ? bits & (FILE_RIGHTS | READ_DIR) : bits;
        if (b != 0) {
            rule(where, isFile, note).ifPresent(a -> a.add(b, n, path));
        }
    }

    /** The rule on {@code where}, made on first use; empty (and said) where a policy cannot name the path. */
    private Optional<Acc> rule(String where, boolean isFile, String note) {
        String path = usable(where);
        if (path.equals("/") && !where.equals("/")) {
            leftOut.add(where + ", which a policy cannot name");
            return Optional.empty();
        }
        Acc a = rules.computeIfAbsent(path, k -> new Acc());
        a.file = isFile && path.equals(where); // one real path is either a file or a directory
        if (a.note.isEmpty()) {
            a.note = note;
        }
        return Optional.of(a);
    }

    /** A rule beneath another that grants at least the same is folded into it. */
    private void fold() {
        List<String> paths = new ArrayList<>(rules.keySet());
        paths.sort(Comparator.comparingInt(FsGrouping::depth).reversed());
        for (String p : paths) {
            Acc a = rules.get(p);
            for (String up = p; !up.equals("/"); ) {
                up = RealPaths.parentOf(up);
                Acc over = rules.get(up);
                if (over != null && (a.access & ~over.access) == 0) {
                    over.take(a);
                    rules.remove(p);
                    break;
                }
            }
        }
    }

    /** Rules that grant the same rights, and are optional alike, become one; system trees first. */
    private List<Rule> join() {
        Map<String, List<Covered>> byKey = new LinkedHashMap<>();
        Map<String, Long> access = new LinkedHashMap<>();
        Map<String, Boolean> optional = new LinkedHashMap<>();
        List<String> order = new ArrayList<>(rules.keySet());
        order.sort(Comparator.comparing((String p) -> under(p, SYSTEM) == null).thenComparing(p -> p));
        for (String p : order) {
            Acc a = rules.get(p);
            boolean opt = isOptional(p);
            String key = a.access + "/" + opt;
            String note = a.access == READ_DIR ? "listed only" : a.note;
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(new Covered(p, a.accesses, a.paths.size(), note));
            access.put(key, a.access);
            optional.put(key, opt);
        }
        List<Rule> out = new ArrayList<>();
        byKey.forEach((k, covered) -> out.add(new Rule(covered, access.get(k), optional.get(k))));
        return out;
    }

    /** Under /tmp, /var/tmp, /dev/shm, /run/user or the home directory: may not be there next time. */
    private boolean isOptional(String path) {
        List<String> roots = new ArrayList<>(List.of("/tmp", "/var/tmp", "/dev/shm", "/run/user"));
        places.home().ifPresent(roots::add);
        return under(path, roots) != null;
    }

    /**
     * {@code path}, or the directory above the first component a policy cannot hold: pattern
     * characters (Landlock paths have no patterns, so the loader refuses them), control
     * characters, or bytes that are not UTF-8.
     */
    static String usable(String path) {
        String p = path;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c < 0x20 || c == 0x7f || c == '\ufffd') {
                int slash = path.lastIndexOf('/', i);
                p = slash <= 0 ? "/" : path.substring(0, slash);
                break;
            }
        }
        return p;
    }

    /** The deepest directory that the run did not make and that is there now: a rule can be bound to it next time. */
    private String lift(String path) {
        String p = path;
        while (!p.equals("/") && !isThere(p)) {
            p = RealPaths.parentOf(p);
        }
        return p;
    }

    /** There now, and not made by the run (then it was there before it too). */
    private boolean isThere(String path) {
        return !seen.made().contains(path) && places.exists().test(path);
    }

    /**
     * The rights as a person would grant them: any read is read (files and listing), a write is
     * write with truncate, any create, remove or device node the whole word; execute, rename,
     * truncate alone and ioctl-dev as they are.
     */
    static long widen(long bits) {
        long w = bits & (EXECUTE | REFER | TRUNCATE | IOCTL_DEV);
        if ((bits & READ) != 0) {
            w |= READ;
        }
        if ((bits & WRITE_FILE) != 0) {
            w |= WRITE_FILE | TRUNCATE;
        }
        if ((bits & CREATE) != 0) {
            w |= CREATE;
        }
        if ((bits & REMOVE) != 0) {
            w |= REMOVE;
        }
        if ((bits & DEVICE) != 0) {
            w |= DEVICE;
        }
        return w;
    }

    /** The words of docs/policy.md for {@code bits}, in its order; kernel names for what no word covers. */
    public static List<String> words(long bits) {
        List<String> out = new ArrayList<>();
        long left = bits;
        for (Map.Entry<String, Long> w : FsAccess.WORDS.entrySet()) {
            long m = w.getValue();
            if (!w.getKey().equals("all") && (m & ~bits) == 0 && (m & left) != 0) {
                out.add(w.getKey());
                left &= ~m;
            }
        }
        FsAccess.names(left).forEach(n -> out.add(n.replace('_', '-')));
        return out;
    }

    /** The entry of {@code roots} that is {@code path} or holds it, or null. */
    static String under(String path, List<String> roots) {
        for (String r : roots) {
            if (path.equals(r) || path.startsWith(r.endsWith("/") ? r : r + "/")) {
                return r;
            }
        }
        return null;
    }

    static int depth(String path) {
        return path.equals("/") ? 0 : (int) path.chars().filter(c -> c == '/').count();
    }

    /** The first {@value #MIN_DEPTH} components of {@code path}. */
    private static String prefix(String path) {
        int end = 0;
        for (int i = 0; i < MIN_DEPTH; i++) {
            int next = path.indexOf('/', end + 1);
            end = next < 0 ? path.length() : next;
        }
        return path.substring(0, end);
    }

    static String commonDir(String a, String b) {
        String p = a;
        while (!p.equals("/") && under(b, List.of(p)) == null) {
            p = RealPaths.parentOf(p);
        }
        return p;
    }

    private static String accesses(long n) {
        return n + (n == 1 ? " access" : " accesses");
    }
}
