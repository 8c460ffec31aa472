package dev.syscage.policy.fallback;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.fallback.SupervisorFallback.Checked;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.SuperviseDecision;
import dev.syscage.policy.model.SuperviseRule;
import dev.syscage.policy.model.Supervision;
import dev.syscage.policy.model.SyscallSet;
import dev.syscage.policy.path.PathPattern;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The supervise rules of {@link SupervisorFallback}, put before the policy's own (see its class
 * comment for the order and why): allow beneath the granted paths, the policy's own rules cut
 * down to those paths for the calls it routes itself, EXDEV, EACCES.
 */
final class FallbackSupervision {
    private final Supervision own;
    private final SourcePos at;
    private final Function<PathSet, SourcePos> posOf;
    private final List<SuperviseRule> rules = new ArrayList<>();
    private int next;

    private FallbackSupervision(Supervision own, SourcePos at, Function<PathSet, SourcePos> posOf) {
        this.own = own;
        this.at = at;
        this.posOf = posOf;
        this.next = OwnRules.nextIndex(own);
    }

    /**
     * The rules for {@code checked}, the classes of calls the supervisor checks by path. Rules are
     * said to come from {@code posOf} their granted paths (a path rule of the section) or from
     * {@code at} (the section).
     */
    static FallbackSupervision of(
            Policy policy, List<Checked> checked, SourcePos at, Function<PathSet, SourcePos> posOf) {
        FallbackSupervision f = new FallbackSupervision(policy.supervision(), at, posOf);
        if (!checked.isEmpty()) {
            f.build(checked);
        }
        return f;
    }

    /** The policy's supervision with these rules first; as it was when there are none. */
    Supervision supervision() {
        return OwnRules.prepend(own, rules);
    }

    /** One line per rule ({@link OwnRules#describe}). */
    List<String> describe() {
        return OwnRules.describe(rules);
    }

    private void build(List<Checked> checked) {
        // 1. calls the policy's filter lets run: allowed beneath the granted paths
        group(checked, c -> c.outcome().allow(), c -> Cond.and(c.when(), Cond.not(c.ownRouted())))
                .forEach((allow, calls) -> add(calls, allow.patterns(), SuperviseDecision.ALLOW, posOf.apply(allow)));
        // 2. calls the policy routes itself: its own rules, then its default, within the granted paths
        if (checked.stream().anyMatch(c -> !c.ownRouted().equals(Cond.FALSE))) {
            Map<PathSet, Calls> routed =
                    group(checked, c -> c.outcome().allow(), c -> Cond.and(c.when(), c.ownRouted()));
            for (SuperviseRule r : own.rules()) {
                routed.forEach((allow, calls) -> {
                    List<String> paths = new ArrayList<>();
                    if (r.paths().isEmpty()) {
                        paths.addAll(allow.patterns());
                    } else {
                        Set<String> cut = new LinkedHashSet<>();
                        r.paths().forEach(p -> cut.addAll(allow.intersectPattern(p.text())));
                        paths.addAll(cut);
                    }
                    add(calls.within(r.syscalls()), paths, r.decision(), r.pos());
                });
            }
            routed.forEach((allow, calls) -> add(calls, allow.patterns(), own.defaultDecision(), at));
        }
        // 3. where only refer is missing, Landlock says EXDEV; everywhere else EACCES
        group(checked, c -> c.outcome().exdev(), Checked::when)
                .forEach((exdev, calls) ->
                        add(calls, exdev.patterns(), SuperviseDecision.errno(SupervisorFallback.EXDEV), at));
        Calls all = new Calls();
        checked.forEach(c -> all.add(c, c.when()));
        if (!all.isEmpty()) {
            rules.add(new SuperviseRule(
                    next++,
                    at,
                    all.names(),
                    all.set(),
                    List.of(),
                    null,
                    SuperviseDecision.errno(SupervisorFallback.EACCES)));
        }
    }

    /** The classes grouped by a path set (empty sets left out), each call with its condition. */
    private static Map<PathSet, Calls> group(
            List<Checked> checked, Function<Checked, PathSet> key, Function<Checked, Cond> when) {
        Map<PathSet, Calls> out = new LinkedHashMap<>();
        for (Checked c : checked) {
            PathSet s = key.apply(c);
            if (!s.isEmpty()) {
                out.computeIfAbsent(s, x -> new Calls()).add(c, when.apply(c));
            }
        }
        return out;
    }

    /** A path rule; none when no call or no path is left to it. */
    private void add(Calls calls, List<String> paths, SuperviseDecision decision, SourcePos pos) {
        if (calls.isEmpty() || paths.isEmpty()) {
            return;
        }
        List<PathPattern> patterns = paths.stream().map(PathPattern::compile).toList();
        rules.add(new SuperviseRule(next++, pos, calls.names(), calls.set(), patterns, null, decision));
    }

    /** Syscalls per architecture with the condition under which a rule covers each. */
    private static final class Calls {
        private final Map<Arch, Map<Integer, Cond>> conds = new EnumMap<>(Arch.class);
        private final Map<Arch, Map<Integer, String>> names = new EnumMap<>(Arch.class);

        void add(Checked c, Cond when) {
            put(c.syscall().arch(), c.syscall().nr(), c.syscall().name(), when);
        }

        private void put(Arch arch, int nr, String name, Cond when) {
            if (!when.equals(Cond.FALSE)) {
                conds.computeIfAbsent(arch, a -> new TreeMap<>()).merge(nr, when, Cond::or);
                names.computeIfAbsent(arch, a -> new TreeMap<>()).put(nr, name);
            }
        }

        /** These calls where {@code other} covers them too, under both conditions. */
        Calls within(SyscallSet other) {
            Calls out = new Calls();
            conds.forEach((arch, m) -> m.forEach((nr, c) -> {
                Cond o = other.condition(arch, nr);
                if (o != null) {
                    out.put(arch, nr, names.get(arch).get(nr), Cond.and(o, c));
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
            names.values().forEach(m -> all.addAll(m.values()));
            return List.copyOf(all);
        }

        SyscallSet set() {
            return SyscallSet.of(conds);
        }
    }
}
