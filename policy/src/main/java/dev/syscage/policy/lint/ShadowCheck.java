package dev.syscage.policy.lint;

import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.RuleRef;
import dev.syscage.policy.parse.YamlNode.Scalar;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Warns about list items that can never take effect: every syscall they stand for is already
 * decided, on every architecture, by an earlier rule without a condition in the same file.
 * (Rules of an included file overridden by the including file are the point of including, so
 * those are not reported.) Run while a policy is loaded, as its rules are placed, since it
 * speaks of list items rather than of the compiled policy.
 */
public final class ShadowCheck {
    private ShadowCheck() {}

    /** One clause of a syscall, with the list item and the file (by key) it came from. */
    public record Placed(Clause clause, String file, Scalar item) {}

    /** Per list item: how many (arch, syscall) clauses it produced, how many are shadowed, and by what. */
    private static final class Tally {
        int placed;
        int shadowed;
        RuleRef by;
    }

    /** Warns about the items all of whose clauses are shadowed; one list per (architecture, syscall), in rule order. */
    public static void run(List<List<Placed>> perSyscall, Diagnostics diags) {
        Map<Scalar, Tally> tallies = new LinkedHashMap<>();
        for (List<Placed> list : perSyscall) {
            tally(list, tallies);
        }
        tallies.forEach((item, t) -> {
            if (t.placed > 0 && t.shadowed == t.placed) {
                diags.warning(item.pos(), message(item, t.by));
            }
        });
    }

    private static void tally(List<Placed> list, Map<Scalar, Tally> tallies) {
        Map<String, Placed> deciderInFile = new HashMap<>();
        for (Placed p : list) {
            Tally t = tallies.computeIfAbsent(p.item(), k -> new Tally());
            t.placed++;
            Placed decider = deciderInFile.get(p.file());
            if (decider != null) {
                t.shadowed++;
                t.by = t.by == null ? decider.clause().rule() : t.by;
            } else if (p.clause().unconditional()) {
                deciderInFile.put(p.file(), p);
            }
        }
    }

    private static String message(Scalar item, RuleRef by) {
        if (item.text().startsWith("@")) {
            return "every syscall of '" + item.text() + "' is already decided by earlier rules without a condition "
                    + "(such as " + by.describe() + "); this item has no effect";
        }
        return "'" + item.text() + "' is already decided by " + by.describe() + ", so this rule never applies to it";
    }
}
