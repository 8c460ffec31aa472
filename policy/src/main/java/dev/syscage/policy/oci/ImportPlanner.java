package dev.syscage.policy.oci;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Syscall;
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
 * is dropped; conditional rules with one action are ORed. When they are disjoint, conditional
 * rules with different actions mean the same in any order. When some call can match rules with
 * different actions, libseccomp decides by the shape of its rule tree: {@link LibseccompTree}
 * builds that tree as libseccomp does and {@link LibseccompRules} writes its paths as ordered
 * rules (or the import refuses, where libseccomp refuses a rule with EEXIST and runc would not
 * start the container). Entries with the default action never get here: runc and crun skip them.
 */
final class ImportPlanner {
    private static final int LIMIT = 4096;

    private ImportPlanner() {}

    /** An applicable entry that names the syscall, with its comparisons translated for the architecture. */
    record Candidate(
            OciProfile.Entry entry,
            Action action,
            ArgTranslation.Translated when,
            boolean unconditional,
            List<OciProfile.Arg> args) {}

    /** A YAML rule the syscall appears in: the entry it comes from, its action and condition (null: none). */
    record Placement(int entry, Action action, String when) {}

    /**
     * The placements and notes on entries libseccomp ignores for this syscall. The placements are
     * in entry order, unless {@code ordered}: then they are the paths of libseccomp's rule tree,
     * whose order matters, all credited to the syscall's first entry.
     */
    record Plan(List<Placement> placements, List<String> notes, boolean ordered, String origin) {
        Plan {
            placements = List.copyOf(placements);
            notes = List.copyOf(notes);
        }

        Plan(List<Placement> placements, List<String> notes) {
            this(placements, notes, false, null);
        }
    }

    /**
     * The plan, or an error message when libseccomp's outcome cannot be written as first-match
     * rules, and the JSON path of the entry it is about ({@code at}).
     */
    record Result(Optional<Plan> plan, String error, String at) {}

    static Result plan(Syscall syscall, List<Candidate> candidates, String[] argNames) {
        return plan(syscall.name(), syscall.arch(), candidates, syscall, argNames);
    }

    private static Result plan(String syscall, Arch arch, List<Candidate> candidates, Syscall s, String[] argNames) {
        Optional<Candidate> uncond =
                candidates.stream().filter(Candidate::unconditional).findFirst();
        if (uncond.isPresent()) {
            Candidate u = uncond.get();
            List<String> notes = new ArrayList<>();
            for (Candidate c : candidates) {
                if (c != u && !c.action().equals(u.action())) {
                    notes.add(c.entry().cite() + " (" + OciAction.yaml(c.action()) + ") has no effect on " + syscall
                            + ": libseccomp keeps the first unconditional rule, "
                            + u.entry().cite()
                            + " (" + OciAction.yaml(u.action()) + ")");
                }
            }
            return new Result(
                    Optional.of(new Plan(List.of(new Placement(u.entry().index(), u.action(), null)), notes)),
                    null,
                    null);
        }
        List<Candidate> live =
                candidates.stream().filter(c -> !c.when().never()).toList();
        for (int i = 0; i < live.size(); i++) {
            for (int j = i + 1; j < live.size(); j++) {
                Candidate a = live.get(i);
                Candidate b = live.get(j);
                if (!a.action().equals(b.action()) && overlap(a.when(), b.when())) {
                    return tree(s, candidates, argNames, a, b);
                }
            }
        }
        List<Placement> placements = new ArrayList<>();
        for (Candidate c : live) {
            placements.add(new Placement(c.entry().index(), c.action(), c.when().when()));
        }
        return new Result(Optional.of(new Plan(placements, List.of())), null, null);
    }

    /** Overlapping rules with different actions: libseccomp's tree, written as ordered rules. */
    private static Result tree(Syscall s, List<Candidate> candidates, String[] argNames, Candidate a, Candidate b) {
        LibseccompTree tree = new LibseccompTree(s.arch().registerBits());
        for (Candidate c : candidates) {
            try {
                tree.add(c.action(), c.args());
            } catch (LibseccompTree.ExistsException e) {
                return new Result(
                        Optional.empty(),
                        "libseccomp refuses " + c.entry().cite() + " (" + OciAction.yaml(c.action())
                                + ") on " + s.name() + " (" + s.arch()
                                + ") with EEXIST, as it contradicts an earlier rule: runc"
                                + " would not start the container",
                        c.entry().cite());
            }
        }
        List<LibseccompRules.Path> paths;
        try {
            paths = LibseccompRules.of(tree, s);
        } catch (TooComplexException e) {
            return new Result(
                    Optional.empty(),
                    a.entry().cite() + " (" + OciAction.yaml(a.action()) + ") and "
                            + b.entry().cite() + " (" + OciAction.yaml(b.action()) + ") can both match " + s.name()
                            + " on "
                            + s.arch() + ", and libseccomp's rule tree for it has more than "
                            + LibseccompRules.MAX_PATHS
                            + " paths to write out",
                    b.entry().cite());
        }
        int first = candidates.get(0).entry().index();
        List<Placement> placements = new ArrayList<>();
        for (LibseccompRules.Path p : paths) {
            placements.add(new Placement(first, p.action(), LibseccompRules.text(p.when(), argNames)));
        }
        String note = a.entry().cite() + " (" + OciAction.yaml(a.action()) + ") and "
                + b.entry().cite() + " ("
                + OciAction.yaml(b.action()) + ") can both match " + s.name() + " on " + s.arch()
                + ": imported as libseccomp orders its rule tree (" + paths.size() + " rules in the filter's order)";
        String origin = String.join(
                ", ", candidates.stream().map(c -> c.entry().cite()).distinct().toList());
        return new Result(Optional.of(new Plan(placements, List.of(note), true, origin)), null, null);
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
