package dev.syscage.policy.family;

import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.RuleRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Routes syscall families together, so a program (or glibc falling back) cannot walk around a
 * rule that sends one member to the supervisor by calling another. It runs after rules are
 * resolved, on each {@link ArchPolicy}; the compiler, the reference evaluator, the lints and
 * {@code check} all see its output.
 *
 * <p>For each clause that sends a family member M to the supervisor ({@code trace} or
 * {@code notify}, reachable: no unconditional clause before it), every sibling S on the same
 * architecture gets that action wherever the filter would have let S's call through
 * ({@code allow} or {@code log}, from a clause or the default) and the <em>routing condition</em>
 * holds. Calls the filter denies stay denied; calls it already routes keep their own action.
 * The routing condition is the rule's {@code when} moved to S by parameter name
 * ({@link CondTransfer}), and not any earlier {@code allow}/{@code log} condition of M (what M
 * itself may do without the supervisor, S may too). A part that cannot move (S lacks a
 * parameter) is dropped, which routes more: the supervisor decides. Likewise a rule that lets a
 * routed member run before any of its routing clauses leaves the siblings it names alone.
 *
 * <p>Each new clause names the routing rule with {@link RuleRef#via}, so {@code check} shows
 * {@code rule #1 (p.yaml:5) via openat (family open)}; {@link Route} lists them.
 */
public final class FamilyRouter {

    /** A clause that sends {@code member} to the supervisor, and the clauses before it that let member's calls run. */
    private record Origin(Syscall member, String family, Clause clause, List<Clause> runsBefore) {}

    /** The routing condition for one sibling, and the parameters of the rule's {@code when} it lacks. */
    private record Routing(Cond cond, Set<String> dropped) {}

    private FamilyRouter() {}

    public static FamilyRouting route(List<ArchPolicy> arches, Families families) {
        List<ArchPolicy> out = new ArrayList<>();
        List<Route> routes = new ArrayList<>();
        for (ArchPolicy ap : arches) {
            out.add(route(ap, families, routes));
        }
        return new FamilyRouting(out, routes);
    }

    private static ArchPolicy route(ArchPolicy ap, Families families, List<Route> routes) {
        List<Origin> origins = origins(ap, families);
        if (origins.isEmpty()) {
            return ap;
        }
        Map<String, Set<Integer>> free = freeRules(origins);
        TreeMap<Integer, List<Clause>> clauses = new TreeMap<>(ap.clauses());
        for (Origin o : origins) {
            RuleRef ref = o.clause().rule().via(o.family(), o.member().name());
            Action action = o.clause().action();
            for (Syscall sibling : families.siblings(ap.table(), o.member().name())) {
                Routing r = routing(o, sibling);
                Optional<List<Clause>> routed = routeSibling(
                        clauses.getOrDefault(sibling.nr(), List.of()),
                        ap.defaultAction(),
                        r.cond(),
                        action,
                        ref,
                        free.getOrDefault(o.family(), Set.of()));
                if (routed.isPresent()) {
                    clauses.put(sibling.nr(), routed.get());
                    routes.add(new Route(
                            ap.arch(),
                            o.family(),
                            o.member().name(),
                            sibling.name(),
                            o.clause().rule(),
                            action,
                            r.dropped()));
                }
            }
        }
        return new ArchPolicy(
                ap.arch(),
                ap.table(),
                ap.defaultAction(),
                ap.defaultRef(),
                ap.unknownAction(),
                ap.unknownRef(),
                clauses);
    }

    /** The reachable routing clauses of family members, in rule order. */
    private static List<Origin> origins(ArchPolicy ap, Families families) {
        List<Origin> out = new ArrayList<>();
        ap.clauses()
                .forEach((nr, list) -> ap.table()
                        .byNumber(nr)
                        .ifPresent(member -> families.familyOf(member.name()).ifPresent(family -> {
                            List<Clause> runsBefore = new ArrayList<>();
                            for (Clause c : list) {
                                if (routes(c.action())) {
                                    out.add(new Origin(member, family, c, List.copyOf(runsBefore)));
                                } else if (runs(c.action())) {
                                    runsBefore.add(c);
                                }
                                if (c.unconditional()) {
                                    break;
                                }
                            }
                        })));
        out.sort(Comparator.comparingInt((Origin o) -> o.clause().rule().index())
                .thenComparingInt(o -> o.member().nr()));
        return out;
    }

    /**
     * Per family, the rules that let a routed member run before its first routing clause
     * ({@code allow: [open, openat] when: read-only} ahead of {@code trace: [openat]}): what such a
     * rule lets one member do without the supervisor, it lets the siblings it names do too.
     */
    private static Map<String, Set<Integer>> freeRules(List<Origin> origins) {
        Map<String, Set<Integer>> out = new HashMap<>();
        Set<Syscall> seen = new HashSet<>();
        for (Origin o : origins.stream()
                .sorted(Comparator.comparingInt((Origin x) -> x.member().nr())
                        .thenComparingInt(x -> x.clause().rule().index()))
                .toList()) {
            if (seen.add(o.member())) {
                o.runsBefore()
                        .forEach(c -> out.computeIfAbsent(o.family(), f -> new HashSet<>())
                                .add(c.rule().index()));
            }
        }
        return out;
    }

    /** The rule's {@code when} and the negated earlier run conditions of the member, each kept where it moves to the sibling. */
    private static Routing routing(Origin o, Syscall sibling) {
        List<Cond> terms = new ArrayList<>();
        CondTransfer.Result when = CondTransfer.transfer(o.clause().when(), o.member(), sibling);
        if (when.moved() && !when.cond().equals(Cond.TRUE)) {
            terms.add(when.cond());
        }
        for (Clause before : o.runsBefore()) {
            CondTransfer.Result not = CondTransfer.transfer(new Cond.Not(before.when()), o.member(), sibling);
            if (not.moved()) {
                terms.add(not.cond());
            }
        }
        Cond cond = terms.isEmpty() ? Cond.TRUE : terms.size() == 1 ? terms.get(0) : new Cond.And(terms);
        return new Routing(cond, when.missing());
    }

    /**
     * The sibling's clauses with every outcome that lets the call run split: where {@code cond}
     * holds it gets {@code action}. Empty when nothing changes (the sibling never runs unrouted).
     */
    static Optional<List<Clause>> routeSibling(
            List<Clause> clauses, Action defaultAction, Cond cond, Action action, RuleRef ref, Set<Integer> freeRules) {
        List<Clause> out = new ArrayList<>();
        boolean changed = false;
        boolean ended = false;
        for (Clause d : clauses) {
            if (ended
                    || !runs(d.action())
                    || d.rule().via() == null && freeRules.contains(d.rule().index())) {
                out.add(d);
                ended |= d.unconditional();
                continue;
            }
            if (!excludes(cond, d.when())) {
                out.add(new Clause(Cond.and(d.when(), cond), action, ref));
                changed = true;
            }
            if (!cond.equals(Cond.TRUE)) {
                out.add(d); // with cond TRUE the new clause has d's condition: d could never match again
            }
            ended |= d.unconditional();
        }
        if (!ended && runs(defaultAction)) {
            out.add(new Clause(cond, action, ref));
            changed = true;
        }
        return changed ? Optional.of(out) : Optional.empty();
    }

    /** Whether {@code cond} contains {@code !when} as a conjunct, so {@code when && cond} never holds. */
    private static boolean excludes(Cond cond, Cond when) {
        Cond not = new Cond.Not(when);
        return cond.equals(not) || cond instanceof Cond.And a && a.terms().contains(not);
    }

    static boolean runs(Action a) {
        return a.kind() == Action.Kind.ALLOW || a.kind() == Action.Kind.LOG;
    }

    static boolean routes(Action a) {
        return a.kind() == Action.Kind.TRACE || a.kind() == Action.Kind.NOTIFY;
    }
}
