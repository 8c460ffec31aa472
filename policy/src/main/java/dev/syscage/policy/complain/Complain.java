package dev.syscage.policy.complain;

import dev.syscage.policy.fallback.SupervisorFallback;
import dev.syscage.policy.isolate.Isolation;
import dev.syscage.policy.isolate.IsolationText;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.Scope;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.RuleRef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Complain mode's rewrite of a policy (as {@code run --complain} and {@code compile --complain}
 * install it): every action that denies a call ({@code errno}, {@code kill}, {@code kill_thread},
 * {@code trap}), in a rule, the {@code default}, {@code unknown} or {@code bad_arch}, becomes
 * {@code trace}, so that the filter sends the call to the supervisor instead of denying it (the
 * run then turns {@code trace} into its mode's action, as for any policy). Everything else stays:
 * {@code allow} and {@code log} still let the call run in the kernel, and a call the policy already
 * sends to the supervisor still goes there. The supervisor asks the policy as it was
 * ({@link dev.syscage.policy.eval.ReferenceEvaluator}) what the filter would have done, and for the calls it would have denied (or
 * its supervise rules would) records that decision and lets the call run (docs/learn.md, "Complain
 * mode").
 *
 * <p>A pure function of the policy: no condition, rule order or reference changes, so each
 * clause of the result still names the rule it came from.
 */
public final class Complain {
    private static final Action ROUTE = Action.trace(0);

    private Complain() {}

    /**
     * A policy as complain mode takes it ({@link #prepare}), and what of the written policy a
     * complain run does not check at all (for a warning).
     */
    public record Prepared(Policy policy, List<String> notChecked, Set<String> ownRules) {
        public Prepared {
            notChecked = List.copyOf(notChecked);
            ownRules = Set.copyOf(ownRules);
        }
    }

    /**
     * The first step of complain mode, before the run's own rewrites: what Landlock and the
     * namespaces would deny cannot be let through and recorded, only enforced, so a complain run
     * makes no Landlock domain and no namespace of the {@code isolate:} section. The file-system
     * rules are carried by the filter and the supervisor's path rules instead, as on a kernel
     * without Landlock ({@link SupervisorFallback}): their denials become complaints like any
     * other. What that cannot carry (network ports, scopes, some rights) and the {@code isolate:}
     * section are named in {@link Prepared#notChecked}; {@link Prepared#ownRules} tells the
     * section's rules from the policy's own. {@code realPath} says where a rule's
     * path leads (as {@link SupervisorFallback#apply} takes it).
     */
    public static Prepared prepare(Policy loaded, UnaryOperator<String> realPath) {
        List<String> notChecked = new ArrayList<>();
        Policy p = loaded;
        LandlockRuleset ruleset = loaded.landlock();
        if (ruleset.handledFs() != 0) {
            SupervisorFallback.Result fallback = SupervisorFallback.apply(loaded, realPath);
            p = fallback.policy();
            notChecked.addAll(fallback.notCarried());
        } else if (!ruleset.isEmpty()) {
            if (ruleset.handledNet() != 0) {
                notChecked.add("network: (Landlock TCP port rules)");
            }
            Scope.names(ruleset.scoped()).forEach(n -> notChecked.add("scope." + n));
        }
        Isolation iso = loaded.isolation();
        if (!iso.isEmpty()) {
            notChecked.add(IsolationText.summary(iso));
        }
        return new Prepared(
                p.withLandlock(LandlockRuleset.NONE).withIsolation(Isolation.NONE), notChecked, ownRules(loaded));
    }

    /**
     * The {@code file:line} of the policy's own rules and supervise rules, as the audit log names
     * them: a complaint whose rule is not one of them was made from the {@code filesystem:} section.
     */
    static Set<String> ownRules(Policy loaded) {
        Set<String> own = new HashSet<>();
        loaded.rules().stream()
                .filter(r -> r.pos() != null)
                .forEach(r -> own.add(r.pos().fileLine()));
        loaded.supervision().rules().stream()
                .filter(r -> r.pos() != null)
                .forEach(r -> own.add(r.pos().fileLine()));
        return own;
    }

    /** Whether the filter would deny the call with this action (instead of running it or sending it on). */
    public static boolean denies(Action a) {
        return switch (a.kind()) {
            case ERRNO, KILL_PROCESS, KILL_THREAD, TRAP -> true;
            case ALLOW, LOG, TRACE, NOTIFY -> false;
        };
    }

    /** The policy with every denying action sending the call to the supervisor instead. */
    public static Policy apply(Policy policy) {
        List<ArchPolicy> arches = new ArrayList<>();
        for (ArchPolicy ap : policy.arches()) {
            Map<Integer, List<Clause>> clauses = new TreeMap<>();
            ap.clauses()
                    .forEach((nr, cs) -> clauses.put(
                            nr,
                            cs.stream()
                                    .map(c -> new Clause(c.when(), route(c.action()), c.rule()))
                                    .toList()));
            arches.add(new ArchPolicy(
                    ap.arch(),
                    ap.table(),
                    route(ap.defaultAction()),
                    ap.defaultRef(),
                    route(ap.unknownAction()),
                    ap.unknownRef(),
                    new TreeMap<>(clauses)));
        }
        List<Policy.RuleSummary> rules = policy.rules().stream()
                .map(r -> new Policy.RuleSummary(r.index(), r.pos(), route(r.action()), r.syscalls(), r.when()))
                .toList();
        return new Policy(
                policy.name(),
                policy.description(),
                arches,
                route(policy.badArchAction()),
                policy.badArchRef(),
                rules,
                policy.frequency(),
                policy.supervision(),
                policy.landlock(),
                policy.isolation());
    }

    /**
     * What a denial by the filter names as its rule in the audit log: the rule's {@code file:line}
     * ({@code web.yaml:12}), or the fallback and where it is written ({@code default web.yaml:4},
     * {@code bad_arch}).
     */
    public static String ruleText(RuleRef ref) {
        String where = ref.pos() == null ? "" : ref.pos().fileLine();
        if (ref.kind() == RuleRef.Kind.RULE) {
            return where.isEmpty() ? "rule #" + (ref.index() + 1) : where;
        }
        String word = ref.kind().name().toLowerCase(java.util.Locale.ROOT);
        return where.isEmpty() ? word : word + " " + where;
    }

    private static Action route(Action a) {
        return denies(a) ? ROUTE : a;
    }
}
