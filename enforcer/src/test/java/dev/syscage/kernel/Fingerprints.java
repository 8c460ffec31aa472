package dev.syscage.kernel;

import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.RuleRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The fingerprint variant of a policy: the same rules, conditions and fallbacks, but every
 * action is an errno that names who decided (rule N: 1000 + N, default: 3000, unknown: 3001,
 * bad_arch: 3002). Under it no call ever runs, and the errno the kernel returns tells which
 * rule the filter chose, not just which action.
 */
final class Fingerprints {
    static final int RULE_BASE = 1000;
    static final int DEFAULT = 3000;
    static final int UNKNOWN = 3001;
    static final int BAD_ARCH = 3002;
    private static final int MAX_RULES = DEFAULT - RULE_BASE;

    private Fingerprints() {}

    static Policy of(Policy p) {
        List<ArchPolicy> arches = new ArrayList<>();
        for (ArchPolicy ap : p.arches()) {
            SortedMap<Integer, List<Clause>> clauses = new TreeMap<>();
            for (Map.Entry<Integer, List<Clause>> e : ap.clauses().entrySet()) {
                List<Clause> marked = new ArrayList<>();
                for (Clause c : e.getValue()) {
                    marked.add(new Clause(c.when(), ruleErrno(c.rule()), c.rule()));
                }
                clauses.put(e.getKey(), marked);
            }
            arches.add(new ArchPolicy(
                    ap.arch(),
                    ap.table(),
                    Action.errno(DEFAULT),
                    ap.defaultRef(),
                    Action.errno(UNKNOWN),
                    ap.unknownRef(),
                    clauses));
        }
        return new Policy(
                p.name() + "-fingerprint",
                p.description(),
                arches,
                Action.errno(BAD_ARCH),
                p.badArchRef(),
                p.rules(),
                p.frequency(),
                p.supervision(),
                p.landlock());
    }

    private static Action ruleErrno(RuleRef rule) {
        if (rule.kind() != RuleRef.Kind.RULE || rule.index() < 0 || rule.index() >= MAX_RULES) {
            throw new IllegalArgumentException(
                    "cannot fingerprint " + rule.describe() + ": rules 0.." + (MAX_RULES - 1) + " only");
        }
        return Action.errno(RULE_BASE + rule.index());
    }

    /** Who an errno of a fingerprint policy names: {@code rule #3}, {@code default}, ... */
    static String meaning(long errno) {
        if (errno == DEFAULT) {
            return "default";
        } else if (errno == UNKNOWN) {
            return "unknown";
        } else if (errno == BAD_ARCH) {
            return "bad_arch";
        } else if (errno >= RULE_BASE && errno < DEFAULT) {
            return "rule #" + (errno - RULE_BASE + 1);
        }
        return "no fingerprint (" + errno + ")";
    }

    /** The policy as text, for failure messages. */
    static String describe(Policy p) {
        StringBuilder sb = new StringBuilder("policy ")
                .append(p.name())
                .append(": bad_arch=")
                .append(p.badArchAction())
                .append('\n');
        for (ArchPolicy ap : p.arches()) {
            sb.append("  arch ")
                    .append(ap.arch())
                    .append(" default=")
                    .append(ap.defaultAction())
                    .append(" unknown=")
                    .append(ap.unknownAction())
                    .append('\n');
            for (Map.Entry<Integer, List<Clause>> e : ap.clauses().entrySet()) {
                sb.append("    nr ").append(e.getKey()).append(':');
                for (Clause c : e.getValue()) {
                    sb.append(" [")
                            .append(c.when())
                            .append(" -> ")
                            .append(c.action())
                            .append(']');
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
