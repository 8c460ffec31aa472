package dev.syscage.policy.fallback;

import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.RuleRef;
import dev.syscage.policy.model.SuperviseRule;
import dev.syscage.policy.model.Supervision;
import dev.syscage.policy.path.PathPattern;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * How a fallback stage puts its checks around a policy's own rules so that it can only take
 * away: {@link SupervisorFallback} (the file-system section without Landlock) and
 * {@link dev.syscage.policy.fallback.MountFallback} (read-only mounts without a mount namespace).
 *
 * <p>In the filter, each clause of a syscall that lets the call run ({@code allow}, {@code log})
 * or routes it to the supervisor is preceded by the stage's {@link Guard}s under the clause's own
 * condition; a clause that denies keeps denying, before any guard; the same is done to the
 * {@code default} action of a syscall no clause decides. Among the supervise rules the stage's
 * come first ({@link #prepend}).
 */
public final class OwnRules {
    private OwnRules() {}

    /**
     * A check put before a clause: the calls for which {@code when} holds get {@code action}. A
     * guard that routes ({@code trace}) is left out before a clause that routes already.
     */
    public record Guard(Cond when, Action action) {}

    /** Whether the policy lets some call of this syscall run or reach the supervisor (else it denies them all already). */
    public static boolean lets(List<Clause> own, Action dflt) {
        for (Clause c : own) {
            if (!denies(c.action())) {
                return true;
            }
            if (c.unconditional()) {
                return false;
            }
        }
        return !denies(dflt);
    }

    /**
     * The syscall's clauses with {@code guards} put before each clause that lets the call run or
     * routes it, and before its default when no clause is unconditional; {@code ref} names the
     * stage in the clauses it adds.
     */
    public static List<Clause> guard(List<Clause> own, Action dflt, List<Guard> guards, RuleRef ref) {
        List<Clause> out = new ArrayList<>();
        boolean ended = false;
        for (Clause c : own) {
            if (!ended) {
                guard(out, c.when(), c.action(), guards, ref);
            }
            out.add(c);
            ended |= c.unconditional();
        }
        if (!ended) {
            guard(out, Cond.TRUE, dflt, guards, ref);
        }
        return out;
    }

    private static void guard(List<Clause> out, Cond when, Action action, List<Guard> guards, RuleRef ref) {
        if (denies(action)) {
            return;
        }
        for (Guard g : guards) {
            if (routes(g.action()) && routes(action)) {
                continue;
            }
            Cond c = Cond.and(when, g.when());
            if (!c.equals(Cond.FALSE)) {
                out.add(new Clause(c, g.action(), ref));
            }
        }
    }

    /** The arguments for which the policy's own clauses (or its default) send the call to the supervisor. */
    public static Cond routing(List<Clause> own, Action dflt) {
        Cond notYet = Cond.TRUE;
        Cond routed = Cond.FALSE;
        for (Clause c : own) {
            if (routes(c.action())) {
                routed = Cond.or(routed, Cond.and(notYet, c.when()));
            }
            notYet = Cond.and(notYet, Cond.not(c.when()));
            if (notYet.equals(Cond.FALSE)) {
                return routed;
            }
        }
        return routes(dflt) ? Cond.or(routed, notYet) : routed;
    }

    public static boolean routes(Action a) {
        return a.kind() == Action.Kind.TRACE || a.kind() == Action.Kind.NOTIFY;
    }

    /** Whether {@code a} keeps the call from running (neither lets it run nor routes it). */
    public static boolean denies(Action a) {
        return !routes(a) && a.kind() != Action.Kind.ALLOW && a.kind() != Action.Kind.LOG;
    }

    /**
     * The policy's supervision with {@code first} before its own rules; as it was when there are
     * none. A policy without a {@code supervise:} section of its own gets {@code log: denied}: the
     * denials are recorded, not every call a stage routes.
     */
    public static Supervision prepend(Supervision own, List<SuperviseRule> first) {
        if (first.isEmpty()) {
            return own;
        }
        List<SuperviseRule> all = new ArrayList<>(first);
        all.addAll(own.rules());
        Supervision.LogLevel log = own.equals(Supervision.NONE) ? Supervision.LogLevel.DENIED : own.log();
        return new Supervision(log, all, own.defaultDecision(), own.pos(), own.hooks());
    }

    /** The index the next rule put before {@code own}'s gets: past every index it has. */
    public static int nextIndex(Supervision own) {
        return own.rules().stream().mapToInt(r -> r.index() + 1).max().orElse(0);
    }

    /**
     * Patterns that match exactly the paths both the supervise path pattern {@code pattern} and
     * the tree of {@code path} (the path and everything beneath it) match.
     */
    public static List<String> cutToTree(String pattern, String path) {
        return PathSet.of(List.of(new PathSet.Item(path, PathSet.Kind.TREE))).intersectPattern(pattern);
    }

    /**
     * Patterns for the paths {@code pattern} matches that are one component beneath {@code dir}
     * ({@code dir/*}): the pattern cut to what is beneath {@code dir}, keeping what stays within
     * one component. A cut that could match deeper paths is left out, so the result may match
     * fewer paths than the exact intersection (never more): used in an {@code allow} rule, it
     * only takes away.
     */
    public static List<String> cutToChildren(String pattern, String dir) {
        String prefix = PathSet.escape(dir) + "/";
        List<String> out = new ArrayList<>();
        for (String p :
                PathSet.of(List.of(new PathSet.Item(dir, PathSet.Kind.BENEATH))).intersectPattern(pattern)) {
            if (!p.startsWith(prefix)) {
                continue;
            }
            String rest = p.substring(prefix.length());
            if (rest.equals("**")) {
                out.add(prefix + "*");
            } else if (rest.startsWith("**/")
                    && !rest.substring(3).contains("/")
                    && !rest.substring(3).equals("**")) {
                out.add(prefix + rest.substring(3));
            } else if (!rest.contains("/") && !rest.contains("**")) {
                out.add(p);
            }
        }
        return List.copyOf(new LinkedHashSet<>(out));
    }

    /** The patterns for the tree of {@code path}: the path and everything beneath it. */
    public static List<String> treePatterns(String path) {
        return PathSet.of(List.of(new PathSet.Item(path, PathSet.Kind.TREE))).patterns();
    }

    /** One line per rule: {@code supervise rule #3: allow creat, open, openat at /tmp/**, /tmp}. */
    public static List<String> describe(List<SuperviseRule> rules) {
        List<String> out = new ArrayList<>();
        for (SuperviseRule r : rules) {
            List<String> paths = r.paths().stream().map(PathPattern::text).toList();
            String shown = paths.size() <= 6
                    ? String.join(", ", paths)
                    : String.join(", ", paths.subList(0, 6)) + " (+" + (paths.size() - 6) + " more)";
            out.add("supervise rule #" + (r.index() + 1) + ": " + r.decision() + " " + String.join(", ", r.names())
                    + (paths.isEmpty() ? "" : " at " + shown));
        }
        return out;
    }
}
