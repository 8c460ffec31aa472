package dev.syscage.policy.oci;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Cond;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Works out, for one syscall on one architecture, which OCI entries decide it the way
 * libseccomp does, so that first-match-wins rules can say the same. libseccomp (src/db.c,
 * db_rule_add) keeps per syscall either one unconditional rule or a tree of conditional ones:
 * the first unconditional rule added wins and every other rule of the syscall, before or after,
 * is dropped; conditional rules with one action are ORed. Conditional rules with different
 * actions that can match the same call have no first-match equivalent (libseccomp picks by the
 * order of its tree nodes, or rejects identical comparisons with EEXIST), so they are refused;
 * when they are disjoint, any order of rules means the same. Entries with the default action
 * never get here: runc and crun skip them.
 */
final class ImportPlanner {
    private static final int LIMIT = 4096;

    private ImportPlanner() {
    }

    /** An applicable entry that names the syscall, with its comparisons translated for the architecture. */
    record Candidate(OciProfile.Entry entry, Action action, ArgTranslation.Translated when, boolean unconditional) {
    }

    /** A YAML rule the syscall appears in: the entry it comes from, its action and condition (null: none). */
    record Placement(int entry, Action action, String when) {
    }

    /** The placements, in entry order, and notes on entries libseccomp ignores for this syscall. */
    record Plan(List<Placement> placements, List<String> notes) {
        Plan {
            placements = List.copyOf(placements);
            notes = List.copyOf(notes);
        }
    }

    /**
     * The plan, or an error message when libseccomp's outcome cannot be written as first-match
     * rules, and the JSON path of the entry it is about ({@code at}).
     */
    record Result(Optional<Plan> plan, String error, String at) {
    }

    static Result plan(String syscall, Arch arch, List<Candidate> candidates) {
        Optional<Candidate> uncond = candidates.stream().filter(Candidate::unconditional).findFirst();
        if (uncond.isPresent()) {
            Candidate u = uncond.get();
            List<String> notes = new ArrayList<>();
            for (Candidate c : candidates) {
                if (c != u && !c.action().equals(u.action())) {
                    notes.add(c.entry().cite() + " (" + OciAction.yaml(c.action()) + ") has no effect on " + syscall
                            + ": libseccomp keeps the first unconditional rule, " + u.entry().cite()
                            + " (" + OciAction.yaml(u.action()) + ")");
                }
            }
            return new Result(Optional.of(new Plan(List.of(new Placement(u.entry().index(), u.action(), null)), notes)), null, null);
        }
        List<Candidate> live = candidates.stream().filter(c -> !c.when().never()).toList();
        for (int i = 0; i < live.size(); i++) {
            for (int j = i + 1; j < live.size(); j++) {
                Candidate a = live.get(i);
                Candidate b = live.get(j);
                if (!a.action().equals(b.action()) && overlap(a.when(), b.when())) {
                    return new Result(Optional.empty(), a.entry().cite() + " (" + OciAction.yaml(a.action()) + ") and "
                            + b.entry().cite() + " (" + OciAction.yaml(b.action()) + ") can both match " + syscall
                            + " on " + arch + "; libseccomp would choose by the shape of its rule tree (or reject "
                            + "identical comparisons), which first-match rules cannot reproduce", b.entry().cite());
                }
            }
        }
        List<Placement> placements = new ArrayList<>();
        for (Candidate c : live) {
            placements.add(new Placement(c.entry().index(), c.action(), c.when().when()));
        }
        return new Result(Optional.of(new Plan(placements, List.of())), null, null);
    }

    private static boolean overlap(ArgTranslation.Translated a, ArgTranslation.Translated b) {
        List<Cond.Test> both = new ArrayList<>(a.tests());
        both.addAll(b.tests());
        try {
            return Dnf.satisfiable(both, LIMIT);
        } catch (TooComplexException e) {
            return true;
        }
    }
}
