package dev.syscage.policy.fallback;

import dev.syscage.policy.arch.Constants;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.diag.SourceText;
import dev.syscage.policy.fallback.FsCalls.FsCall;
import dev.syscage.policy.fallback.FsCalls.Need;
import dev.syscage.policy.landlock.FsAccess;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.NetAccess;
import dev.syscage.policy.landlock.Scope;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.RuleRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The file-system section of a policy, enforced without Landlock: by the seccomp filter where
 * the arguments decide, and by the supervisor's path rules where the path does. {@code syscage
 * run} applies it on a kernel without Landlock when the policy says {@code landlock: best-effort};
 * the meaning is Landlock's as far as the filter and the supervisor can tell it (docs/policy.md,
 * "On a kernel without Landlock").
 *
 * <p><b>What is checked.</b> {@link FsCalls} says which rights each call needs, told apart by
 * what BPF sees (open's access mode and flags, mknod's file type, unlinkat's flag). For each such
 * class of calls, the paths where all its rights are granted ({@link PathSet}) decide: granted
 * everywhere, the call is left as it is; granted nowhere, it fails in the filter (EACCES, as
 * Landlock answers); else it is sent to the supervisor ({@code trace}, which {@code run} turns
 * into its mode's action), which allows it beneath the granted paths and fails it with EACCES
 * elsewhere (EXDEV where only Landlock's {@code refer} is missing, as Landlock says).
 *
 * <p><b>The filter: the policy's own rules first.</b> Each rule of the policy (per syscall, in
 * order; first match wins) that lets a checked call run ({@code allow}, {@code log}) is split in
 * three with the same condition: the classes the section denies everywhere get their errno,
 * the classes it checks by path go to the supervisor, the rest keep the rule's action. A rule
 * that already sends the call to the supervisor keeps doing so (only the classes denied
 * everywhere fail in the filter first); a rule that denies it keeps denying it, before any of
 * this: the section can only take away. The same is done to the {@code default} action of a
 * syscall no rule decides. So a call the policy denies is denied as before, and a call it lets
 * run is then judged by its path, exactly where Landlock would have judged it.
 *
 * <p><b>The supervise rules: the section's first.</b> Landlock's limits hold whatever the
 * policy's supervise rules say, so the section's path checks come before them:
 * <ol>
 *   <li>for calls the policy's filter let run: {@code allow} beneath the granted paths;
 *   <li>for calls the policy itself sends to the supervisor: each of its own supervise rules,
 *       cut down to the granted paths ({@link PathSet#intersectPattern}), then its default there;
 *       so both the section and its own rules must allow such a call (a hook is not asked);
 *   <li>EXDEV where only {@code refer} is missing, then EACCES for every checked call left;
 *   <li>then the policy's own supervise rules and default, as before, for everything else.
 * </ol>
 * A rule without a path pattern never matches a call whose path could not be read; the last
 * fallback rule has none, so such a call fails. The condition "the policy's filter lets it
 * run" is the policy's own rule list as a condition on the arguments, so the rules above do not
 * depend on which mode (trace or notify) carries the call.
 *
 * <p>Network and scope rules cannot be carried over, nor some file-system rights
 * ({@link Result#notCarried}); the result's ruleset keeps them and drops the file-system part.
 */
public final class SupervisorFallback {
    static final int EACCES = 13;
    static final int EXDEV = 18;

    /**
     * The policy with the file-system section enforced without Landlock; what could not be
     * carried over ({@code fs.ioctl_dev}, {@code scope.signal}, ...); and lines for
     * {@code run --dry-run} that say what it does.
     */
    public record Result(Policy policy, List<String> notCarried, List<String> summary) {
        public Result {
            notCarried = List.copyOf(notCarried);
            summary = List.copyOf(summary);
        }
    }

    /**
     * What the section does with one class of calls: fail it in the filter with {@code errno},
     * or (errno 0) send it to the supervisor, which allows it beneath {@code allow}, fails it with
     * EXDEV beneath {@code exdev} (where only refer is missing) and with EACCES elsewhere.
     */
    record Outcome(int errno, PathSet allow, PathSet exdev) {
        boolean routed() {
            return errno == 0;
        }
    }

    /** A class of calls of one syscall that the supervisor checks, and when the policy's own filter routes it too. */
    record Checked(Syscall syscall, Cond when, Outcome outcome, Cond ownRouted) {}

    /** A granted path (as written, or where it really leads) with its rights. */
    record Grant(String path, long access, SourcePos pos) {}

    private final long handled;
    private final List<Grant> grants;
    private final Map<Long, PathSet> allowed = new HashMap<>();
    private final PathSet named;

    private SupervisorFallback(LandlockRuleset ruleset, UnaryOperator<String> realPath) {
        this.handled = ruleset.handledFs();
        List<Grant> g = new ArrayList<>();
        for (LandlockRuleset.PathRule r : ruleset.paths()) {
            g.add(new Grant(r.path(), r.access(), r.pos()));
            String real = realPath.apply(r.path());
            if (real != null && real.startsWith("/") && !real.equals(r.path())) {
                g.add(new Grant(real, r.access(), r.pos())); // Landlock's rule is on the file the path leads to
            }
        }
        this.grants = List.copyOf(g);
        this.named = PathSet.of(grants.stream()
                .map(x -> new PathSet.Item(x.path(), PathSet.Kind.EXACT))
                .toList());
    }

    /**
     * The fallback for {@code policy}, whose ruleset handles file-system rights. {@code realPath}
     * gives where a rule's path really leads (through symlinks; itself when it leads nowhere):
     * Landlock's rule holds for the file found, and the supervisor, in notify mode, checks the
     * real path of what a call reached, so both spellings are allowed.
     */
    public static Result apply(Policy policy, UnaryOperator<String> realPath) {
        LandlockRuleset ruleset = policy.landlock();
        if (ruleset.handledFs() == 0) {
            throw new IllegalArgumentException("the policy's ruleset handles no file-system right");
        }
        return new SupervisorFallback(ruleset, realPath).run(policy);
    }

    private Result run(Policy policy) {
        SourcePos at = sectionPos(policy);
        RuleRef ref = RuleRef.rule(policy.rules().size(), at);
        List<ArchPolicy> arches = new ArrayList<>();
        List<Checked> checked = new ArrayList<>();
        Map<Integer, List<String>> denied = new TreeMap<>();
        for (ArchPolicy ap : policy.arches()) {
            Map<Integer, List<Clause>> clauses = new TreeMap<>(ap.clauses());
            Constants k = Constants.of(ap.arch());
            for (Syscall s : ap.table().all()) {
                Optional<FsCall> call = FsCalls.of(s, k);
                Map<Outcome, Cond> classes = call.isPresent() ? classify(call.get()) : Map.of();
                if (classes.isEmpty()) {
                    continue;
                }
                List<Clause> own = ap.clausesFor(s.nr());
                if (!OwnRules.lets(own, ap.defaultAction())) {
                    continue;
                }
                clauses.put(s.nr(), OwnRules.guard(own, ap.defaultAction(), guards(classes), ref));
                Cond routed = OwnRules.routing(own, ap.defaultAction());
                classes.forEach((o, c) -> {
                    if (o.routed()) {
                        checked.add(new Checked(s, c, o, routed));
                    } else {
                        List<String> names = denied.computeIfAbsent(o.errno(), e -> new ArrayList<>());
                        if (!names.contains(s.name())) {
                            names.add(s.name());
                        }
                    }
                });
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
        FallbackSupervision supervision = FallbackSupervision.of(policy, checked, at, set -> posOf(set, at));
        LandlockRuleset rest = new LandlockRuleset(
                0,
                policy.landlock().handledNet(),
                policy.landlock().scoped(),
                List.of(),
                policy.landlock().ports(),
                policy.landlock().compat());
        Policy out = new Policy(
                policy.name(),
                policy.description(),
                arches,
                policy.badArchAction(),
                policy.badArchRef(),
                policy.rules(),
                policy.frequency(),
                supervision.supervision(),
                rest,
                policy.isolation());
        return new Result(out, notCarried(policy.landlock()), summary(denied, checked, supervision));
    }

    /** The non-free classes of a call's arguments, each with its condition. */
    private Map<Outcome, Cond> classify(FsCall call) {
        int n = call.features().size();
        Outcome[] byAssignment = new Outcome[1 << n];
        for (int a = 0; a < byAssignment.length; a++) {
            byAssignment[a] = outcome(call.need().apply(a));
        }
        Map<Outcome, Cond> out = new LinkedHashMap<>();
        for (Outcome o : byAssignment) {
            if (o != null && !out.containsKey(o)) {
                out.put(o, Conds.select(call.features(), byAssignment, o));
            }
        }
        return out;
    }

    /** What the section does with a call that needs {@code need}; null: nothing (every path is allowed). */
    Outcome outcome(Need need) {
        if (need.errnoAlways() != 0) {
            return new Outcome(need.errnoAlways(), PathSet.EMPTY, PathSet.EMPTY);
        }
        long r = need.rights() & handled;
        if (r == 0) {
            return null;
        }
        PathSet allow = allowed(r);
        if (need.creates() && (r & FsAccess.MAKE_REG) != 0) {
            // O_CREAT of a file that exists creates nothing: a path a rule names is a file that exists
            allow = allow.union(named.intersect(allowed(r & ~FsAccess.MAKE_REG)));
        }
        if (allow.everywhere()) {
            return null;
        }
        if (need.errnoIfChecked() != 0) {
            return new Outcome(need.errnoIfChecked(), PathSet.EMPTY, PathSet.EMPTY);
        }
        PathSet exdev = (r & FsAccess.REFER) != 0 ? allowed(r & ~FsAccess.REFER) : PathSet.EMPTY;
        if (allow.isEmpty() && (exdev.isEmpty() || exdev.everywhere())) {
            return new Outcome(exdev.isEmpty() ? EACCES : EXDEV, PathSet.EMPTY, PathSet.EMPTY);
        }
        return new Outcome(0, allow, exdev.equals(allow) ? PathSet.EMPTY : exdev);
    }

    /** The paths where every right of {@code rights} is granted. */
    PathSet allowed(long rights) {
        return allowed.computeIfAbsent(rights, r -> {
            PathSet s = PathSet.EVERYWHERE;
            for (long bit = 1; bit <= r && bit != 0; bit <<= 1) {
                if ((r & bit) != 0) {
                    PathSet.Kind kind = ((FsAccess.FILE_RIGHTS | FsAccess.READ_DIR) & bit) != 0
                            ? PathSet.Kind.TREE
                            : PathSet.Kind.BENEATH;
                    List<PathSet.Item> items = new ArrayList<>();
                    for (Grant g : grants) {
                        if ((g.access() & bit) != 0) {
                            items.add(new PathSet.Item(g.path(), kind));
                        }
                    }
                    s = s.intersect(PathSet.of(items));
                }
            }
            return s;
        });
    }

    /** The place of the first path rule behind one of the set's paths, else {@code at}. */
    private SourcePos posOf(PathSet set, SourcePos at) {
        for (PathSet.Item i : set.items()) {
            for (Grant g : grants) {
                if (g.path().equals(i.path()) && g.pos() != null) {
                    return g.pos();
                }
            }
        }
        return at;
    }

    /** The section's classes as guards: the errno classes, then one route for all the classes it checks by path. */
    private static List<OwnRules.Guard> guards(Map<Outcome, Cond> classes) {
        List<OwnRules.Guard> out = new ArrayList<>();
        Cond route = Cond.FALSE;
        for (Map.Entry<Outcome, Cond> e : classes.entrySet()) {
            if (e.getKey().routed()) {
                route = Cond.or(route, e.getValue());
            } else {
                out.add(new OwnRules.Guard(e.getValue(), Action.errno(e.getKey().errno())));
            }
        }
        out.add(new OwnRules.Guard(route, Action.trace(0)));
        return out;
    }

    /** What Landlock would have enforced that neither the filter nor the supervisor can. */
    private List<String> notCarried(LandlockRuleset r) {
        List<String> out = new ArrayList<>();
        if ((handled & FsAccess.IOCTL_DEV) != 0 && !allowed(FsAccess.IOCTL_DEV).everywhere()) {
            out.add("fs.ioctl_dev (ioctl on devices)");
        }
        if ((handled & FsAccess.MAKE_SOCK) != 0 && !allowed(FsAccess.MAKE_SOCK).everywhere()) {
            out.add("fs.make_sock by bind() of a UNIX socket");
        }
        if ((handled & FsAccess.TRUNCATE) != 0
                && !allowed(FsAccess.WRITE_FILE).equals(allowed(FsAccess.WRITE_FILE | FsAccess.TRUNCATE))) {
            out.add("fs.truncate by ftruncate()");
        }
        if ((r.handledNet() & NetAccess.BIND_TCP) != 0) {
            out.add("net.bind_tcp");
        }
        if ((r.handledNet() & NetAccess.CONNECT_TCP) != 0) {
            out.add("net.connect_tcp");
        }
        Scope.names(r.scoped()).forEach(n -> out.add("scope." + n));
        out.add("the domain's own guard (no ptrace or /proc/PID/mem of processes outside it)");
        return out;
    }

    private static List<String> summary(
            Map<Integer, List<String>> denied, List<Checked> checked, FallbackSupervision supervision) {
        List<String> out = new ArrayList<>();
        out.add("filesystem without Landlock: enforced by the filter and the supervisor's path rules");
        denied.forEach((errno, names) -> out.add(
                "  filter: errno " + Constants.errnoName(errno) + " for some calls of " + String.join(", ", names)));
        List<String> names = checked.stream()
                .map(c -> c.syscall().name())
                .distinct()
                .sorted()
                .toList();
        if (!names.isEmpty()) {
            out.add("  filter: trace (the supervisor checks the path) for some calls of " + String.join(", ", names));
        }
        supervision.describe().forEach(l -> out.add("  " + l));
        return out;
    }

    /**
     * Where the fallback's own rules are said to come from: the policy's {@code filesystem:} line
     * when a path rule's file has one, else the first path rule, else a place named
     * {@code filesystem}. Audit records and lints cite it.
     */
    private static SourcePos sectionPos(Policy policy) {
        for (LandlockRuleset.PathRule r : policy.landlock().paths()) {
            if (r.pos() == null) {
                continue;
            }
            SourceText text = r.pos().source();
            for (int line = r.pos().line(); line >= 1; line--) {
                if (text.line(line).startsWith("filesystem:")) {
                    return text.pos(line, 1);
                }
            }
            return r.pos();
        }
        return SourceText.unavailable("filesystem").pos(1, 1);
    }
}
