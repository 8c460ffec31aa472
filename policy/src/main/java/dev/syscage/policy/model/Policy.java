package dev.syscage.policy.model;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.diag.SourcePos;
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
 * has no {@code supervise:} section).
 */
public record Policy(
        String name,
        String description,
        List<ArchPolicy> arches,
        Action badArchAction,
        RuleRef badArchRef,
        List<RuleSummary> rules,
        Map<String, Long> frequency,
        Supervision supervision) {

    public Policy {
        arches = List.copyOf(arches);
        rules = List.copyOf(rules);
        frequency = Map.copyOf(frequency);
        Objects.requireNonNull(supervision, "supervision (Supervision.NONE for none)");
    }

    /** A policy without a {@code supervise:} section. */
    public Policy(String name, String description, List<ArchPolicy> arches, Action badArchAction, RuleRef badArchRef,
                  List<RuleSummary> rules, Map<String, Long> frequency) {
        this(name, description, arches, badArchAction, badArchRef, rules, frequency, Supervision.NONE);
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
