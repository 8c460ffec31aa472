package dev.syscage.learn;

import dev.syscage.auditlog.AuditLogReader;
import dev.syscage.auditlog.CallRecord;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.fallback.FsCalls;
import dev.syscage.policy.landlock.FsAccess;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The calls an audit log ({@link AuditLogReader}) says a policy denied:
 * records with decision {@code errno} or {@code kill} (an enforcing run: the supervise rules
 * denied them), and records with a {@code would} (a complain run: the filter or the supervise
 * rules would have). Each is counted by syscall name, in two parts: the ones the seccomp filter
 * denied, which an allow rule fixes, and the ones the supervise rules denied, which a supervise
 * rule fixes (with the paths they named). For the {@link ArgRule} syscalls the argument values are
 * kept, for conditions. A third part, {@link FsPart}, holds what the {@code filesystem:} section
 * denied: Landlock's denials ({@code source: landlock}) and complain mode's {@code by: filesystem}
 * complaints, as the rights needed at each path. Left out and counted: the launcher's own calls
 * before the program starts (as {@code learn} leaves them out), Landlock denials of no file
 * (network, scopes) and file-system complaints that name no path, calls interrupted before their
 * answer, and syscalls without a name.
 */
public final class DeniedCalls {
    /** One part: calls by syscall, the ArgRule values seen, the resolved paths named (\"\" for a call that named none), the rules that denied. */
    public record Part(
            SortedMap<String, Long> counts,
            Map<String, SortedSet<Long>> argValues,
            Map<String, SortedSet<String>> paths,
            Map<String, SortedSet<String>> rules) {
        public Part() {
            this(new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
        }

        /** {@code syscall}'s entries of {@code other} into this part. */
        void copyFrom(Part other, String syscall) {
            counts.put(syscall, other.counts.get(syscall));
            if (other.argValues.containsKey(syscall)) {
                argValues.put(syscall, other.argValues.get(syscall));
            }
            if (other.paths.containsKey(syscall)) {
                paths.put(syscall, other.paths.get(syscall));
            }
            if (other.rules.containsKey(syscall)) {
                rules.put(syscall, other.rules.get(syscall));
            }
        }

        public boolean isEmpty() {
            return counts.isEmpty();
        }

        void add(String syscall, long[] args, String path, String rule) {
            counts.merge(syscall, 1L, Long::sum);
            ArgRule.forSyscall(syscall)
                    .ifPresent(r -> argValues
                            .computeIfAbsent(syscall, k -> new TreeSet<>())
                            .add(r.value(args)));
            paths.computeIfAbsent(syscall, k -> new TreeSet<>()).add(path == null ? "" : path); // "": named none
            if (rule != null) {
                rules.computeIfAbsent(syscall, k -> new TreeSet<>()).add(rule);
            }
        }
    }

    /**
     * The third part: by record kind ({@code landlock}: Landlock denied it; {@code filesystem}: a
     * complaint of the {@code filesystem:} section), how many calls, and the rights they needed as
     * a {@link Footprint} (per path: FsAccess bits; create, remove and rename rights on the
     * directory, as Landlock checks them). A complained {@code mkdir} ran, and the log does not
     * say whether it made its directory or found it there (EEXIST, which Landlock never checks):
     * one whose directory another mkdir of the log went into ({@code mkdir -p}) is taken to have
     * found it; the others to have made it, so that it needs make_dir on its parent and is not
     * there before the next run (rules for what is in it go to the directory above).
     */
    public static final class FsPart {
        private final Map<String, Long> calls = new TreeMap<>();
        private final Map<String, Footprint.Builder> needs = new TreeMap<>();
        private final SortedSet<String> mkdirs = new TreeSet<>();

        public boolean isEmpty() {
            return calls.isEmpty();
        }

        /** Calls by kind. */
        public Map<String, Long> calls() {
            return Collections.unmodifiableMap(calls);
        }

        /** The rights needed, by kind. */
        public Map<String, Footprint> footprints() {
            Map<String, Footprint.Builder> all = new TreeMap<>(needs);
            for (String dir : mkdirs) {
                String deeper = mkdirs.tailSet(dir + "/").isEmpty()
                        ? ""
                        : mkdirs.tailSet(dir + "/").first();
                if (!deeper.startsWith(dir + "/")) {
                    all.computeIfAbsent("filesystem", k -> new Footprint.Builder())
                            .touch(RealPaths.parentOf(dir), FsAccess.MAKE_DIR, true)
                            .made(dir);
                }
            }
            Map<String, Footprint> out = new TreeMap<>();
            all.forEach((kind, b) -> out.put(kind, b.build()));
            return out;
        }

        void call(String kind) {
            calls.merge(kind, 1L, Long::sum);
        }

        /** {@code rights} at {@code path}: a directory when they hold any right that is not a file's. */
        void need(String kind, String path, long rights) {
            needs.computeIfAbsent(kind, k -> new Footprint.Builder())
                    .touch(path, rights, (rights & ~FsAccess.FILE_RIGHTS) != 0);
        }

        void mkdir(String path) {
            mkdirs.add(path);
        }
    }

    /** Rights Landlock checks on the directory a file is made in, removed from or renamed into. */
    static final long AT_PARENT = FsAccess.ALL & ~(FsAccess.FILE_RIGHTS | FsAccess.READ_DIR);

    private static final Set<String> LAUNCHERS = Set.of("syscage-launch");

    private final Part filter = new Part();
    private final Part supervisor = new Part();
    private final FsPart fs = new FsPart();
    private final Map<String, Long> skipped = new TreeMap<>();
    private long records;

    public Part filter() {
        return filter;
    }

    public Part supervisor() {
        return supervisor;
    }

    public FsPart fs() {
        return fs;
    }

    /** Records left out, by why ("launcher", "landlock", "filesystem", "interrupted", "unnamed syscall"). */
    public Map<String, Long> skipped() {
        return skipped;
    }

    public long records() {
        return records;
    }

    /** The denied calls of a log's call records, given one at a time ({@link AuditLogReader#forEach}). */
    public void add(CallRecord r) {
        records++;
        CallRecord.Would would = r.would();
        if (r.decision().equals("interrupted")) {
            skip("interrupted");
        } else if (would == null && r.decision().equals("allow")) {
            return;
        } else if (r.exe() != null && LAUNCHERS.contains(baseName(r.exe()))) {
            skip("launcher");
        } else if (r.landlock()) {
            landlock(r);
        } else if (would != null && would.by().equals("filesystem")) {
            complaint(r);
        } else if (r.syscall().startsWith("syscall_")) {
            skip("unnamed syscall");
        } else {
            boolean byFilter = would != null && would.by().equals("filter");
            String rule = would != null ? would.rule() : r.rule();
            (byFilter ? filter : supervisor).add(r.syscall(), r.registers(), r.resolvedPath(), rule);
        }
    }

    /** A Landlock denial: the file rights among its blockers, at the path it names. */
    private void landlock(CallRecord r) {
        long rights = blockedRights(r.rule());
        Optional<String> path = landlockPath(r);
        if (rights == 0 || path.isEmpty()) {
            skip("landlock");
            return;
        }
        fs.call("landlock");
        fs.need("landlock", path.get(), rights);
    }

    /**
     * The file-system rights of a Landlock record's {@code blockers} ({@code fs.write_file,fs.make_reg}:
     * the kernel's names), 0 when it has none ({@code net.bind_tcp}, {@code scope.signal}).
     */
    static long blockedRights(String rule) {
        long rights = 0;
        for (String b : field(rule, "blockers").map(v -> v.split(",")).orElse(new String[0])) {
            if (b.startsWith("fs.")) {
                rights |= FsAccess.parse(b.substring(3)).orElse(0L);
            }
        }
        return rights;
    }

    /**
     * The object Landlock checked: the record's resolved path, else its rule's {@code path=} (the
     * kernel's text decoded, up to the {@code dev=} that follows it).
     */
    static Optional<String> landlockPath(CallRecord r) {
        Optional<String> p = Optional.ofNullable(r.resolvedPath()).or(() -> {
            String rule = r.rule() == null ? "" : r.rule();
            int at = rule.indexOf(" path=");
            if (at < 0) {
                return Optional.empty();
            }
            int end = rule.indexOf(" dev=", at);
            return Optional.of(rule.substring(at + 6, end < 0 ? rule.length() : end));
        });
        return p.filter(x -> x.startsWith("/"));
    }

    /** {@code key=}'s value in a Landlock rule text (up to the next space). */
    private static Optional<String> field(String rule, String key) {
        for (String part : rule == null ? new String[0] : rule.split(" ")) {
            if (part.startsWith(key + "=")) {
                return Optional.of(part.substring(key.length() + 1));
            }
        }
        return Optional.empty();
    }

    /**
     * A complaint of the filesystem: section: the rights {@link FsCalls} says the call needs, at
     * its resolved path or paths (what the section's rules were checked against).
     */
    private void complaint(CallRecord r) {
        String path = r.resolvedPath();
        Arch arch = Arch.byName(r.arch()).orElse(Arch.nativeArch());
        long rights = FsCalls.rightsNeeded(arch, r.syscall(), r.registers());
        if (path == null || !path.startsWith("/") || rights == 0) {
            skip("filesystem");
            return;
        }
        fs.call("filesystem");
        if (rights == FsAccess.MAKE_DIR) {
            fs.mkdir(path);
            return;
        }
        needAt(path, rights);
        if (r.resolvedPath2() != null && r.resolvedPath2().startsWith("/")) {
            needAt(r.resolvedPath2(), rights);
        }
    }

    /** The file's rights at {@code path}; the rights to make, remove or rename it at its directory. */
    private void needAt(String path, long rights) {
        if ((rights & ~AT_PARENT) != 0) {
            fs.need("filesystem", path, rights & ~AT_PARENT);
        }
        if ((rights & AT_PARENT) != 0) {
            fs.need("filesystem", RealPaths.parentOf(path), rights & AT_PARENT);
        }
    }

    private void skip(String why) {
        skipped.merge(why, 1L, Long::sum);
    }

    private static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
