package dev.syscage.supervise.session;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.complain.Complain;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.RuleRef;
import dev.syscage.supervise.Complaint;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.SuperviseRulesHook;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.hooks.HookChain;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The supervisor's half of complain mode ({@link Complain} is the filter's): for each call the
 * rewritten filter sends, what the policy as written would have done. A call its filter would
 * have denied is allowed with that denial as the complaint (the supervise rules are not asked:
 * the filter would never have sent it); any other call is decided by the supervise rules and
 * hooks as usual, and a denial of theirs is allowed with it as the complaint. The policy is asked
 * through the reference evaluator, which the compiled filter is tested against.
 */
public final class ComplainJudge {
    private final Policy original;
    private final Set<String> ownRules;
    private final AtomicLong complaints = new AtomicLong();

    /**
     * @param original the policy as an enforcing run would install it (before {@link Complain#apply})
     * @param ownRules the {@code file:line} of the policy's own rules and supervise rules
     *     ({@link Complain.Prepared#ownRules}): a rule elsewhere was made from its
     *     {@code filesystem:} section, and its denial is the file system's
     */
    public ComplainJudge(Policy original, Set<String> ownRules) {
        this.original = original;
        this.ownRules = Set.copyOf(ownRules);
    }

    /** The verdict on one call; {@code rules} asks the supervise rules and hooks (only when the filter lets it through). */
    public HookChain.Verdict verdict(SyscallEvent e, Supplier<HookChain.Verdict> rules) {
        SeccompData data = new SeccompData(e.nr(), e.arch().auditArch(), e.ip(), e.args());
        dev.syscage.policy.eval.Decision filter = ReferenceEvaluator.decide(original, data);
        if (Complain.denies(filter.action())) {
            return new HookChain.Verdict(Decision.complained(fromFilter(filter, ownRules)), null);
        }
        return complained(rules.get());
    }

    /**
     * The supervise rules' verdict, allowed with its denial as the complaint. (The kill that stops
     * a run whose audit log failed is the session's own and never comes here.)
     */
    public HookChain.Verdict complained(HookChain.Verdict v) {
        Decision d = v.decision();
        if (d.kind() != Decision.Kind.ERRNO && d.kind() != Decision.Kind.KILL) {
            return v;
        }
        boolean own = v.hook() == null
                || !v.hook().equals(SuperviseRulesHook.NAME)
                || d.rule() == null
                || d.rule().equals("default")
                || ownRules.contains(d.rule());
        return new HookChain.Verdict(
                Decision.complained(Complaint.of(d, own ? Complaint.SUPERVISOR : Complaint.FILESYSTEM)), v.hook());
    }

    /**
     * Whether the policy's filter may deny some call of {@code nr} on {@code arch}: then each
     * call must be judged (none is answered by number alone).
     */
    public boolean filterMayDeny(Arch arch, int nr) {
        ArchPolicy ap = original.forArch(arch).orElse(null);
        if (ap == null || !ap.table().isKnown(nr)) {
            return true;
        }
        List<Clause> clauses = ap.clausesFor(nr);
        for (Clause c : clauses) {
            if (Complain.denies(c.action())) {
                return true;
            }
            if (c.unconditional()) {
                return false;
            }
        }
        return Complain.denies(ap.defaultAction());
    }

    /** Counts {@code count} calls answered with {@code d}, when it is a complaint. */
    public void settled(Decision d, long count) {
        if (d.would() != null) {
            complaints.addAndGet(count);
        }
    }

    /** How many calls were allowed that the policy would have denied. */
    public long complaints() {
        return complaints.get();
    }

    private static Complaint fromFilter(dev.syscage.policy.eval.Decision d, Set<String> ownRules) {
        Action a = d.action();
        String rule = Complain.ruleText(d.rule());
        String by = d.rule().kind() != RuleRef.Kind.RULE || ownRules.contains(rule)
                ? Complaint.FILTER
                : Complaint.FILESYSTEM;
        return switch (a.kind()) {
            case ERRNO -> new Complaint("errno", a.value(), rule, by);
            case TRAP -> new Complaint("trap", 0, rule, by);
            default -> new Complaint("kill", 0, rule, by);
        };
    }
}
