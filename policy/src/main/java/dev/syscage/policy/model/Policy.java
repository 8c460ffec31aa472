package dev.syscage.policy.model;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.diag.SourcePos;
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
 * sections ({@link LandlockRuleset#NONE} when the policy has none of them).
 *
 * <p>Code that builds a changed policy from another must carry {@code supervision} and
 * {@code landlock} over (or drop them on purpose): the convenience constructors default them.
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
        LandlockRuleset landlock) {

    public Policy {
        arches = List.copyOf(arches);
        rules = List.copyOf(rules);
        frequency = Map.copyOf(frequency);
        Objects.requireNonNull(supervision, "supervision (Supervision.NONE for none)");
        Objects.requireNonNull(landlock, "landlock (LandlockRuleset.NONE for none)");
    }

    /** A policy without Landlock sections. */
    public Policy(String name, String description, List<ArchPolicy> arches, Action badArchAction, RuleRef badArchRef,
                  List<RuleSummary> rules, Map<String, Long> frequency, Supervision supervision) {
        this(name, description, arches, badArchAction, badArchRef, rules, frequency, supervision, LandlockRuleset.NONE);
    }

    /** A policy without a {@code supervise:} section and without Landlock sections. */
    public Policy(String name, String description, List<ArchPolicy> arches, Action badArchAction, RuleRef badArchRef,
                  List<RuleSummary> rules, Map<String, Long> frequency) {
        this(name, description, arches, badArchAction, badArchRef, rules, frequency, Supervision.NONE);
    }

    /** This policy with another Landlock ruleset, everything else the same. */
    public Policy withLandlock(LandlockRuleset ruleset) {
        return new Policy(name, description, arches, badArchAction, badArchRef, rules, frequency, supervision, ruleset);
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
