package dev.syscage.policy.model;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.isolate.Isolation;
import dev.syscage.policy.landlock.LandlockRuleset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated policy, ready to compile: one {@link ArchPolicy} per architecture it names (in the
 * order named), and the action for any other architecture (including x32 on x86_64).
 * {@code frequency} optionally gives syscall names with relative call counts, used to shape the
 * compiled search tree (empty: the shipped default table). {@code supervision} is how the
 * supervisor decides the calls the filter sends it ({@link Supervision#NONE} when the policy
 * has no {@code supervise:} section). {@code landlock} is the Landlock domain the launcher makes
 * before it installs the filter, from the {@code filesystem:}, {@code network:} and {@code scope:}
 * sections ({@link LandlockRuleset#NONE} when the policy has none of them). {@code isolation}
 * is the {@code isolate:} section: extra namespaces and read-only mounts for the run
 * ({@link Isolation#NONE} without one).
 *
 * <p>Code that builds a changed policy from another must carry {@code supervision},
 * {@code landlock} and {@code isolation} over (or drop them on purpose): the convenience
 * constructors default them.
 */
public record Policy(
        String name,
        String description,
        List<ArchPolicy> arches,
        Action badArchAction,
        RuleRef badArchRef,
        List<RuleSummary> rules,
        Map<String, Long> frequency,
        Supervision supervision,
        LandlockRuleset landlock,
        Isolation isolation) {

    public Policy {
        arches = List.copyOf(arches);
        rules = List.copyOf(rules);
        frequency = Map.copyOf(frequency);
        Objects.requireNonNull(supervision, "supervision (Supervision.NONE for none)");
        Objects.requireNonNull(landlock, "landlock (LandlockRuleset.NONE for none)");
        Objects.requireNonNull(isolation, "isolation (Isolation.NONE for none)");
    }

    /** A policy without an {@code isolate:} section. */
    public Policy(
            String name,
            String description,
            List<ArchPolicy> arches,
            Action badArchAction,
            RuleRef badArchRef,
            List<RuleSummary> rules,
            Map<String, Long> frequency,
            Supervision supervision,
            LandlockRuleset landlock) {
        this(
                name,
                description,
                arches,
                badArchAction,
                badArchRef,
                rules,
                frequency,
                supervision,
                landlock,
                Isolation.NONE);
    }

    /** A policy without Landlock sections or an {@code isolate:} section. */
    public Policy(
            String name,
            String description,
            List<ArchPolicy> arches,
            Action badArchAction,
            RuleRef badArchRef,
            List<RuleSummary> rules,
            Map<String, Long> frequency,
            Supervision supervision) {
        this(name, description, arches, badArchAction, badArchRef, rules, frequency, supervision, LandlockRuleset.NONE);
    }

    /** A policy without a {@code supervise:} section and without Landlock sections. */
    public Policy(
            String name,
            String description,
            List<ArchPolicy> arches,
            Action badArchAction,
            RuleRef badArchRef,
            List<RuleSummary> rules,
            Map<String, Long> frequency) {
        this(name, description, arches, badArchAction, badArchRef, rules, frequency, Supervision.NONE);
    }

    /** This policy with another Landlock ruleset, everything else the same. */
    public Policy withLandlock(LandlockRuleset ruleset) {
        return new Policy(
                name,
                description,
                arches,
                badArchAction,
                badArchRef,
                rules,
                frequency,
                supervision,
                ruleset,
                isolation);
    }

    /** This policy with another isolation, everything else the same. */
    public Policy withIsolation(Isolation other) {
        return new Policy(
                name, description, arches, badArchAction, badArchRef, rules, frequency, supervision, landlock, other);
    }

    public Optional<ArchPolicy> forArch(Arch arch) {
        return arches.stream().filter(a -> a.arch() == arch).findFirst();
    }

    /** A line of the policy's rule list for summaries: action, syscalls, and whether it has a condition. */
    public record RuleSummary(int index, SourcePos pos, Action action, List<String> syscalls, String when) {
        public RuleSummary {
            syscalls = List.copyOf(syscalls);
        }
    }
}
