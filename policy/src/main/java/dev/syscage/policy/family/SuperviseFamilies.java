package dev.syscage.policy.family;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Param;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.SuperviseRule;
import dev.syscage.policy.model.Supervision;
import dev.syscage.policy.model.SyscallSet;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Makes a supervise rule that names a family member cover its siblings too, since
 * {@link FamilyRouter} sends them to the supervisor alongside it. A rule with {@code when}
 * covers a sibling only where its condition moves there by parameter name
 * ({@link CondTransfer}); for a sibling that lacks a parameter, that the filter does send to the
 * supervisor and that no supervise rule names itself, a warning at the rule's item says so. A rule with {@code path} covers the
 * siblings that name a path (the others could never match it). Siblings the rule names itself
 * keep their own condition.
 */
public final class SuperviseFamilies {
    /** {@code const char *} parameters with these names are paths (as the supervisor's decoder reads them). */
    private static final Set<String> PATH_NAMES = Set.of("filename", "pathname", "path", "oldname", "newname");

    /** A {@code syscalls:} item of supervise rule {@code rule}: where it is and the syscalls it claimed. */
    public record Item(int rule, SourcePos pos, List<String> names) {
        public Item {
            names = List.copyOf(names);
        }
    }

    private SuperviseFamilies() {}

    /** {@code supervision} with siblings added to its rules; warnings go to {@code diags}. */
    public static Supervision expand(
            Supervision supervision, List<Item> items, List<ArchPolicy> arches, Families families, Diagnostics diags) {
        if (supervision.rules().isEmpty()) {
            return supervision;
        }
        Map<Arch, Set<Integer>> named = new EnumMap<>(Arch.class);
        for (SuperviseRule r : supervision.rules()) {
            r.syscalls()
                    .asMap()
                    .forEach((a, m) ->
                            named.computeIfAbsent(a, x -> new HashSet<>()).addAll(m.keySet()));
        }
        List<SuperviseRule> rules = new ArrayList<>();
        for (SuperviseRule r : supervision.rules()) {
            rules.add(new Expansion(r, items, named, families, diags).run(arches));
        }
        return new Supervision(
                supervision.log(), rules, supervision.defaultDecision(), supervision.pos(), supervision.hooks());
    }

    /** One rule's expansion over every architecture. */
    private static final class Expansion {
        private final SuperviseRule rule;
        private final List<Item> items;
        private final Map<Arch, Set<Integer>> named;
        private final Families families;
        private final Diagnostics diags;
        private final Set<String> warned = new HashSet<>();
        private boolean grew;

        Expansion(
                SuperviseRule rule,
                List<Item> items,
                Map<Arch, Set<Integer>> named,
                Families families,
                Diagnostics diags) {
            this.rule = rule;
            this.items = items;
            this.named = named;
            this.families = families;
            this.diags = diags;
        }

        SuperviseRule run(List<ArchPolicy> arches) {
            Map<Arch, Map<Integer, Cond>> calls = new EnumMap<>(Arch.class);
            rule.syscalls().asMap().forEach((a, m) -> calls.put(a, new TreeMap<>(m)));
            for (ArchPolicy ap : arches) {
                SortedMap<Integer, Cond> own = rule.syscalls().asMap().get(ap.arch());
                if (own != null) {
                    expand(ap, own, calls.get(ap.arch()));
                }
            }
            return grew
                    ? new SuperviseRule(
                            rule.index(),
                            rule.pos(),
                            rule.names(),
                            SyscallSet.of(calls),
                            rule.paths(),
                            rule.when(),
                            rule.decision())
                    : rule;
        }

        private void expand(ArchPolicy ap, SortedMap<Integer, Cond> own, Map<Integer, Cond> out) {
            Map<Syscall, Syscall> unmoved =
                    new LinkedHashMap<>(); // sibling -> first member whose condition did not move
            Map<Syscall, Set<String>> missing = new LinkedHashMap<>();
            for (Map.Entry<Integer, Cond> e : own.entrySet()) {
                Syscall member = ap.table().byNumber(e.getKey()).orElseThrow();
                for (Syscall sibling : families.siblings(ap.table(), member.name())) {
                    if (own.containsKey(sibling.nr())
                            || out.containsKey(sibling.nr())
                            || !rule.paths().isEmpty() && !namesPath(sibling)) {
                        continue;
                    }
                    CondTransfer.Result t = CondTransfer.transfer(e.getValue(), member, sibling);
                    if (t.moved()) {
                        out.put(sibling.nr(), t.cond());
                        grew = true;
                    } else {
                        unmoved.putIfAbsent(sibling, member);
                        missing.putIfAbsent(sibling, t.missing());
                    }
                }
            }
            unmoved.forEach((sibling, member) -> {
                boolean ownRule = named.getOrDefault(ap.arch(), Set.of()).contains(sibling.nr());
                if (!out.containsKey(sibling.nr())
                        && !ownRule
                        && reachesSupervisor(ap, sibling.nr())
                        && warned.add(sibling.name())) {
                    diags.warning(positionOf(member.name()), message(member, sibling, missing.get(sibling)));
                }
            });
        }

        private SourcePos positionOf(String member) {
            for (Item i : items) {
                if (i.rule() == rule.index() && i.names().contains(member)) {
                    return i.pos();
                }
            }
            return rule.pos();
        }
    }

    static String message(Syscall member, Syscall sibling, Set<String> missing) {
        String params = String.join(
                ", ", missing.stream().sorted().map(m -> "'" + m + "'").toList());
        String signature = sibling.name() + "("
                + String.join(", ", sibling.params().stream().map(Param::name).toList()) + ")";
        return "supervise rule for " + member.name() + " does not cover its sibling " + sibling.name()
                + ": its 'when' tests "
                + params + ", which " + signature + " does not pass as a parameter; give " + sibling.name()
                + " a supervise rule of its own";
    }

    static boolean namesPath(Syscall s) {
        return s.params().stream()
                .anyMatch(p -> PATH_NAMES.contains(p.name()) && p.ctype().contains("char *"));
    }

    /** Whether some call of {@code nr} can get {@code trace} or {@code notify} from the filter. */
    static boolean reachesSupervisor(ArchPolicy ap, int nr) {
        for (Clause c : ap.clausesFor(nr)) {
            if (FamilyRouter.routes(c.action())) {
                return true;
            }
            if (c.unconditional()) {
                return false;
            }
        }
        return FamilyRouter.routes(ap.defaultAction());
    }
}
