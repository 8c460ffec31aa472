package dev.syscage.policy.rewrite;

import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * How the supervisor gets the syscalls a policy routes to it: as ptrace stops ({@code trace}
 * actions) or as seccomp user notifications ({@code notify} actions). A policy is written with
 * either; {@link #retarget} turns every routing action into this mode's, so the same rules run
 * in both (a trace action's 16-bit data is dropped: notifications carry none).
 */
public enum SupervisionMode {
    TRACE(Action.Kind.TRACE),
    NOTIFY(Action.Kind.NOTIFY);

    private final Action.Kind kind;

    SupervisionMode(Action.Kind kind) {
        this.kind = kind;
    }

    /** "trace" or "notify", as on the command line. */
    public static Optional<SupervisionMode> parse(String word) {
        for (SupervisionMode m : values()) {
            if (m.name().equalsIgnoreCase(word)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** The mode a policy asks for by itself: notify if it has a notify action, else trace if it traces. */
    public static Optional<SupervisionMode> of(Policy policy) {
        if (routes(policy, Action.Kind.NOTIFY)) {
            return Optional.of(NOTIFY);
        }
        return routes(policy, Action.Kind.TRACE) ? Optional.of(TRACE) : Optional.empty();
    }

    /**
     * The mode a run uses: none when the policy routes nothing to the supervisor; else the mode
     * asked for; else notify for a policy with a notify action. A policy with trace actions only
     * gets the mode that fits what its supervisor is for:
     * <ul>
     *   <li>a supervisor that can deny ({@code enforces}: a deny rule or default, or a hook) runs
     *       in notify mode where the kernel supports it: there the rules see the real path and an
     *       allowed open is made from the path checked, so a symlink or another thread cannot
     *       walk around a path rule; in trace mode they can (docs/policy.md, "Path resolution");
     *   <li>a supervisor that only watches (learn, an audit-only {@code supervise:} section) runs
     *       in trace mode where this process can trace ({@code ptraceUsable}): a ptrace stop
     *       changes nothing the program sees, while in notify mode a caught signal can interrupt
     *       a routed call before syscage receives it, and even a regular-file open then fails
     *       with EINTR (docs/notify.md, "Signals while a call waits").
     * </ul>
     * Either falls back to the other where it cannot run. Each supplier is asked only when its
     * answer decides.
     */
    public static Optional<SupervisionMode> select(
            Policy policy,
            Optional<SupervisionMode> asked,
            boolean enforces,
            BooleanSupplier ptraceUsable,
            BooleanSupplier notifySupported) {
        Optional<SupervisionMode> own = of(policy);
        if (own.isEmpty() || asked.isPresent()) {
            return own.isEmpty() ? own : asked;
        }
        if (own.get() == NOTIFY) {
            return own;
        }
        if (!enforces && ptraceUsable.getAsBoolean()) {
            return Optional.of(TRACE);
        }
        return Optional.of(notifySupported.getAsBoolean() ? NOTIFY : TRACE);
    }

    /** Whether the policy's supervisor can deny a call, with {@code hooks} added to its own. */
    public static boolean enforces(Policy policy, boolean hooks) {
        return hooks || !policy.supervision().onlyAllows();
    }

    /** True when any rule, default or arch action of the policy is a trace or notify action. */
    public static boolean routesToSupervisor(Policy policy) {
        return of(policy).isPresent();
    }

    /** The policy with every trace and notify action made this mode's. */
    public Policy retarget(Policy policy) {
        List<ArchPolicy> arches = new ArrayList<>();
        for (ArchPolicy ap : policy.arches()) {
            Map<Integer, List<Clause>> clauses = new TreeMap<>();
            ap.clauses()
                    .forEach((nr, cs) -> clauses.put(
                            nr,
                            cs.stream()
                                    .map(c -> new Clause(c.when(), convert(c.action()), c.rule()))
                                    .toList()));
            arches.add(new ArchPolicy(
                    ap.arch(),
                    ap.table(),
                    convert(ap.defaultAction()),
                    ap.defaultRef(),
                    convert(ap.unknownAction()),
                    ap.unknownRef(),
                    new TreeMap<>(clauses)));
        }
        List<Policy.RuleSummary> rules = policy.rules().stream()
                .map(r -> new Policy.RuleSummary(r.index(), r.pos(), convert(r.action()), r.syscalls(), r.when()))
                .toList();
        return new Policy(
                policy.name(),
                policy.description(),
                arches,
                convert(policy.badArchAction()),
                policy.badArchRef(),
                rules,
                policy.frequency(),
                policy.supervision(),
                policy.landlock(),
                policy.isolation());
    }

    private Action convert(Action a) {
        boolean routing = a.kind() == Action.Kind.TRACE || a.kind() == Action.Kind.NOTIFY;
        if (!routing || a.kind() == kind) {
            return a;
        }
        return this == NOTIFY ? Action.NOTIFY : Action.trace(0);
    }

    private static boolean routes(Policy policy, Action.Kind kind) {
        if (policy.badArchAction().kind() == kind) {
            return true;
        }
        for (ArchPolicy ap : policy.arches()) {
            if (ap.defaultAction().kind() == kind || ap.unknownAction().kind() == kind) {
                return true;
            }
            for (List<Clause> cs : ap.clauses().values()) {
                if (cs.stream().anyMatch(c -> c.action().kind() == kind)) {
                    return true;
                }
            }
        }
        return false;
    }
}
