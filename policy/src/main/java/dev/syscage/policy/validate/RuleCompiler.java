package dev.syscage.policy.validate;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallIndex;
import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.group.GroupTable;
import dev.syscage.policy.load.LoadedFile;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.Policy.RuleSummary;
import dev.syscage.policy.model.RuleRef;
import dev.syscage.policy.parse.PolicyDocument.RuleSyntax;
import dev.syscage.policy.parse.YamlNode.Scalar;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns the flattened rule list into clauses: for each architecture and syscall number, one
 * clause per rule that names the syscall (directly or through a group), in rule order. A
 * syscall named twice by one rule gets one clause. Each clause remembers which list item
 * produced it, for {@link dev.syscage.policy.lint.ShadowCheck}.
 */
final class RuleCompiler {

    /** A clause and where it came from. */
    record Placed(Clause clause, int rule, LoadedFile file, Scalar item, String name) {}

    private final List<Arch> arches;
    private final SyscallIndex index;
    private final SyscallNames names;
    private final Diagnostics diags;
    private final Map<Arch, TreeMap<Integer, List<Placed>>> clauses = new EnumMap<>(Arch.class);
    private final List<RuleSummary> summaries = new ArrayList<>();

    RuleCompiler(SyscallIndex index, GroupTable groups, Diagnostics diags) {
        this.arches = index.arches();
        this.index = index;
        this.names = new SyscallNames(index, groups, diags);
        this.diags = diags;
        arches.forEach(a -> clauses.put(a, new TreeMap<>()));
    }

    Map<Arch, TreeMap<Integer, List<Placed>>> clauses() {
        return clauses;
    }

    List<RuleSummary> summaries() {
        return summaries;
    }

    void add(int ruleIndex, LoadedFile file, RuleSyntax rule) {
        Optional<Action> action = rule.action().flatMap(a -> ActionParser.parse(a, diags));
        Optional<RuleCondition> when = rule.when().map(w -> new RuleCondition(w, diags));
        RuleRef ref = RuleRef.rule(ruleIndex, rule.pos());
        Map<String, Scalar> claimed = new HashMap<>();
        for (Scalar item : rule.syscalls()) {
            for (String name : names.of(item, file)) {
                Scalar first = claimed.putIfAbsent(name, item);
                if (first == null) {
                    place(name, item, action, when, ref, file);
                } else if (first != item
                        && !item.text().startsWith("@")
                        && !first.text().startsWith("@")) {
                    diags.warning(item.pos(), "'" + name + "' is listed twice in this rule");
                }
            }
        }
        when.ifPresent(RuleCondition::finish);
        action.ifPresent(a -> summaries.add(new RuleSummary(
                ruleIndex,
                rule.pos(),
                a,
                rule.syscalls().stream().map(Scalar::text).toList(),
                when.map(RuleCondition::text).orElse(null))));
    }

    private void place(
            String name,
            Scalar item,
            Optional<Action> action,
            Optional<RuleCondition> when,
            RuleRef ref,
            LoadedFile file) {
        for (Arch arch : arches) {
            Optional<Syscall> s = index.on(arch, name);
            if (s.isEmpty()) {
                continue;
            }
            Cond cond = when.isPresent() ? when.get().resolve(s.get()) : Cond.TRUE;
            if (cond != null && action.isPresent()) {
                Clause c = new Clause(cond, action.get(), ref);
                clauses.get(arch)
                        .computeIfAbsent(s.get().nr(), k -> new ArrayList<>())
                        .add(new Placed(c, ref.index(), file, item, name));
            }
        }
    }
}
