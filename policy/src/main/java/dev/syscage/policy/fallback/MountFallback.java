package dev.syscage.policy.fallback;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Param;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.diag.SourceText;
import dev.syscage.policy.isolate.Isolation;
import dev.syscage.policy.isolate.Namespace;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.RuleRef;
import dev.syscage.policy.model.SuperviseDecision;
import dev.syscage.policy.model.SuperviseRule;
import dev.syscage.policy.model.Supervision;
import dev.syscage.policy.model.SyscallSet;
import dev.syscage.policy.path.PathPattern;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The read-only paths of a policy's {@code isolate:} section, enforced without a mount namespace
 * where {@code syscage run} cannot make one and the section says {@code compat: best-effort}
 * (docs/policy.md, "Where isolation cannot be made"). It carries what Landlock cannot say:
 * metadata changes by path ({@link #METADATA_CALLS}: chmod, chown, utimensat, setxattr, ...)
 * are sent to the supervisor ({@code trace}, which {@code run} turns into its mode's action),
 * which allows them beneath each writable path and at {@code /proc/self/fd/*} (notify mode
 * judges those by the real path), fails them with EROFS beneath each read-only path, and allows
 * them elsewhere; where paths nest, the deepest decides. Writes of file contents, creating,
 * removing and renaming are Landlock's {@code filesystem:} section's business, not this stage's.
 *
 * <p><b>It can only take away</b>, as {@link dev.syscage.policy.fallback.SupervisorFallback}
 * ({@link OwnRules} holds their common part). In the filter, a rule of the policy that denies one
 * of these calls keeps denying it; one that lets it run is preceded by the route to the
 * supervisor; one that routes it already is left as it is. Among the supervise rules the stage's
 * come first: for a call the policy's filter lets run, its decisions above; for a call the policy
 * routes itself, the policy's own supervise rules cut down to each writable path (and its
 * default there), so both must allow it; beneath a read-only path, EROFS for both; elsewhere the
 * policy's own rules decide as before. A call whose path cannot be read fails with EROFS when
 * the policy's filter let it run.
 *
 * <p>{@code utimensat} (and {@code utimensat_time64}) with a NULL path is {@code futimens()} on a
 * descriptor the program holds: the filter cannot know its file, so it is left as the policy
 * says; so are fchmod, fchown and fsetxattr. The namespaces have no fallback
 * ({@link Result#notCarried}).
 */
public final class MountFallback {
    /** The calls that change a file's metadata by path, on any architecture (each where it exists). */
    public static final List<String> METADATA_CALLS = List.of(
            "chmod",
            "fchmodat",
            "fchmodat2",
            "chown",
            "chown32",
            "lchown",
            "lchown32",
            "fchownat",
            "utime",
            "utimes",
            "futimesat",
            "utimensat",
            "utimensat_time64",
            "setxattr",
            "lsetxattr",
            "setxattrat",
            "removexattr",
            "lremovexattr",
            "removexattrat");
    /** The paths through which a program changes the metadata of a descriptor it holds (gnulib does, for O_PATH). */
    static final List<String> FD_DIRS = List.of("/proc/self/fd", "/proc/thread-self/fd");

    static final int EROFS = 30;
    private static final Set<String> NULL_PATH_IS_FD = Set.of("utimensat", "utimensat_time64");

    /**
     * The policy with the read-only paths enforced by the filter and the supervisor, and its
     * isolation without them (the namespaces are kept, for what they say); what the fallback
     * cannot carry; lines for {@code run --dry-run} that say what it does.
     */
    public record Result(Policy policy, List<String> notCarried, List<String> summary) {
        public Result {
            notCarried = List.copyOf(notCarried);
            summary = List.copyOf(summary);
        }
    }

    /** A metadata call the supervisor checks: when the filter routes it, and when the policy itself does. */
    private record Checked(Syscall syscall, Cond when, Cond ownRouted) {}

    private final Policy policy;
    private final Isolation isolation;
    private final SourcePos at;
    private final List<SuperviseRule> rules = new ArrayList<>();
    private int next;

    private MountFallback(Policy policy) {
        this.policy = policy;
        this.isolation = policy.isolation();
        this.at = isolation.pos() != null
                ? isolation.pos()
                : SourceText.unavailable("isolate").pos(1, 1);
        this.next = OwnRules.nextIndex(policy.supervision());
    }

    /**
     * The fallback for {@code policy}. {@code realPath} gives where a path really leads (through
     * symlinks; itself when it leads nowhere): a bind mount is made on the directory a path leads
     * to, and the supervisor, in notify mode, checks the real path of what a call reached, so
     * both spellings count.
     */
    public static Result apply(Policy policy, UnaryOperator<String> realPath) {
        return new MountFallback(policy).run(realPath);
    }

    private Result run(UnaryOperator<String> realPath) {
        List<String> notCarried = notCarried();
        if (isolation.readOnly().isEmpty()) {
            return new Result(policy.withIsolation(isolation.withoutMounts()), notCarried, List.of());
        }
        RuleRef ref = RuleRef.rule(policy.rules().size(), at);
        List<ArchPolicy> arches = new ArrayList<>();
        List<Checked> checked = new ArrayList<>();
        for (ArchPolicy ap : policy.arches()) {
            Map<Integer, List<Clause>> clauses = new TreeMap<>(ap.clauses());
            for (String name : METADATA_CALLS) {
                Syscall s = ap.table().byName(name).orElse(null);
                if (s == null) {
                    continue;
                }
                List<Clause> own = ap.clausesFor(s.nr());
                if (!OwnRules.lets(own, ap.defaultAction())) {
                    continue;
                }
                Cond when = NULL_PATH_IS_FD.contains(name) ? Cond.not(isNull(s, "filename")) : Cond.TRUE;
                clauses.put(
                        s.nr(),
                        OwnRules.guard(
                                own, ap.defaultAction(), List.of(new OwnRules.Guard(when, Action.trace(0))), ref));
                checked.add(new Checked(s, when, OwnRules.routing(own, ap.defaultAction())));
            }
            arches.add(new ArchPolicy(
                    ap.arch(),
                    ap.table(),
                    ap.defaultAction(),
                    ap.defaultRef(),
                    ap.unknownAction(),
                    ap.unknownRef(),
                    new TreeMap<>(clauses)));
        }
        build(checked, layers(realPath));
        Supervision supervision = OwnRules.prepend(policy.supervision(), rules);
        Policy out = new Policy(
                policy.name(),
                policy.description(),
                arches,
                policy.badArchAction(),
                policy.badArchRef(),
                policy.rules(),
                policy.frequency(),
                supervision,
                policy.landlock(),
                isolation.withoutMounts());
        return new Result(out, notCarried, summary(checked));
    }

    /** The read-only and writable paths and their real spellings, deepest first (the deepest decides). */
    private List<Isolation.Mount> layers(UnaryOperator<String> realPath) {
        Set<Isolation.Mount> all = new LinkedHashSet<>(isolation.mounts());
        for (Isolation.Mount m : isolation.mounts()) {
            String real = realPath.apply(m.path());
            if (real != null
                    && real.startsWith("/")
                    && !real.equals(m.path())
                    && all.stream().noneMatch(o -> o.path().equals(real))) {
                all.add(new Isolation.Mount(real, m.writable()));
            }
        }
        return all.stream()
                .sorted(Comparator.comparingInt(Isolation.Mount::depth).reversed())
                .toList();
    }

    private void build(List<Checked> checked, List<Isolation.Mount> layers) {
        Calls free = new Calls();
        Calls routed = new Calls();
        Calls all = new Calls();
        for (Checked c : checked) {
            free.put(c.syscall(), Cond.and(c.when(), Cond.not(c.ownRouted())));
            routed.put(c.syscall(), Cond.and(c.when(), c.ownRouted()));
            all.put(c.syscall(), c.when());
        }
        List<String> fd = FD_DIRS.stream().map(d -> d + "/*").toList();
        add(free, fd, SuperviseDecision.ALLOW, at);
        ownRulesWithin(
                routed,
                p -> FD_DIRS.stream()
                        .flatMap(d -> OwnRules.cutToChildren(p, d).stream())
                        .toList(),
                fd);
        for (Isolation.Mount l : layers) {
            List<String> tree = OwnRules.treePatterns(l.path());
            if (l.writable()) {
                add(free, tree, SuperviseDecision.ALLOW, at);
                ownRulesWithin(routed, p -> OwnRules.cutToTree(p, l.path()), tree);
            } else {
                add(all, tree, SuperviseDecision.errno(EROFS), at);
            }
        }
        if (!isolation.readOnly().contains("/")) {
            add(free, OwnRules.treePatterns("/"), SuperviseDecision.ALLOW, at);
        }
        add(free, List.of(), SuperviseDecision.errno(EROFS), at); // its path could not be read
    }

    /**
     * For calls the policy routes itself, within the paths {@code within}: each of its own
     * supervise rules cut down to them ({@code cut} of each of the rule's patterns), then its
     * default there.
     */
    private void ownRulesWithin(Calls routed, Function<String, List<String>> cut, List<String> within) {
        if (routed.isEmpty()) {
            return;
        }
        Supervision own = policy.supervision();
        for (SuperviseRule r : own.rules()) {
            List<String> paths = within;
            if (!r.paths().isEmpty()) {
                Set<String> cutDown = new LinkedHashSet<>();
                r.paths().forEach(p -> cutDown.addAll(cut.apply(p.text())));
                paths = List.copyOf(cutDown);
            }
            if (!paths.isEmpty()) {
                add(routed.within(r.syscalls()), paths, r.decision(), r.pos());
            }
        }
        add(routed, within, own.defaultDecision(), at);
    }

    private void add(Calls calls, List<String> paths, SuperviseDecision decision, SourcePos pos) {
        if (calls.isEmpty()) {
            return;
        }
        SuperviseRule last = rules.isEmpty() ? null : rules.get(rules.size() - 1);
        SyscallSet set = calls.set();
        if (last != null
                && !paths.isEmpty()
                && !last.paths().isEmpty()
                && last.decision().equals(decision)
                && last.syscalls().equals(set)
                && last.pos() == pos) {
            // the same calls and decision as the rule before: one rule with the paths of both
            List<PathPattern> merged = new ArrayList<>(last.paths());
            paths.stream()
                    .map(PathPattern::compile)
                    .filter(p -> merged.stream().noneMatch(m -> m.text().equals(p.text())))
                    .forEach(merged::add);
            rules.set(
                    rules.size() - 1, new SuperviseRule(last.index(), pos, last.names(), set, merged, null, decision));
            return;
        }
        List<PathPattern> patterns = paths.stream().map(PathPattern::compile).toList();
        rules.add(new SuperviseRule(next++, pos, calls.names(), set, patterns, null, decision));
    }

    private static Cond isNull(Syscall s, String name) {
        Param p = s.param(name).orElseThrow(() -> new IllegalStateException(s.name() + " has no parameter " + name));
        return new Cond.Test(p.index(), p.width(), Cond.Test.widthMask(p.width()), Cond.Op.EQ, 0);
    }

    /** What a mount namespace would have given that no filter or supervisor can. */
    private List<String> notCarried() {
        List<String> out = new ArrayList<>();
        for (Namespace n : isolation.namespaces()) {
            out.add("namespace " + n.word() + " ("
                    + switch (n) {
                        case NET -> "only loopback networking";
                        case IPC -> "System V IPC and message queues of its own";
                        case UTS -> "a host name of its own";
                    }
                    + ")");
        }
        if (!isolation.readOnly().isEmpty()) {
            out.add("read-only mounts for writes, creating, removing and renaming (a filesystem: section says those)");
            out.add(
                    "read-only mounts for metadata changes through a held descriptor (fchmod, fchown, fsetxattr, futimens)");
        }
        return out;
    }

    private List<String> summary(List<Checked> checked) {
        List<String> out = new ArrayList<>();
        out.add("read-only paths without a mount namespace: metadata changes checked by the supervisor's path rules");
        List<String> names = checked.stream()
                .map(c -> c.syscall().name())
                .distinct()
                .sorted()
                .toList();
        if (!names.isEmpty()) {
            out.add("  filter: trace (the supervisor checks the path) for " + String.join(", ", names));
        }
        OwnRules.describe(rules).forEach(l -> out.add("  " + l));
        return out;
    }

    /** Syscalls per architecture with the condition under which a rule covers each. */
    private static final class Calls {
        private final Map<Arch, Map<Integer, Cond>> conds = new EnumMap<>(Arch.class);
        private final Map<Arch, Map<Integer, Syscall>> syscalls = new EnumMap<>(Arch.class);

        void put(Syscall s, Cond when) {
            if (!when.equals(Cond.FALSE)) {
                conds.computeIfAbsent(s.arch(), a -> new TreeMap<>()).merge(s.nr(), when, Cond::or);
                syscalls.computeIfAbsent(s.arch(), a -> new TreeMap<>()).put(s.nr(), s);
            }
        }

        /** These calls where {@code other} covers them too, under both conditions. */
        Calls within(SyscallSet other) {
            Calls out = new Calls();
            conds.forEach((arch, m) -> m.forEach((nr, c) -> {
                Cond o = other.condition(arch, nr);
                if (o != null) {
                    out.put(syscalls.get(arch).get(nr), Cond.and(o, c));
                }
            }));
            return out;
        }

        boolean isEmpty() {
            return conds.isEmpty();
        }

        /** The syscall names, for people (the conditions decide). */
        List<String> names() {
            Set<String> all = new TreeSet<>();
            syscalls.values().forEach(m -> m.values().forEach(s -> all.add(s.name())));
            return List.copyOf(all);
        }

        SyscallSet set() {
            return SyscallSet.of(conds);
        }
    }
}
