package dev.syscage.policy.validate;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.model.RuleRef;
import dev.syscage.policy.parse.YamlNode.Scalar;
import dev.syscage.policy.validate.RuleCompiler.Placed;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Warns about list items that can never take effect: every syscall they stand for is already
 * decided, on every architecture, by an earlier rule without a condition in the same file.
 * (Rules of an included file overridden by the including file are the point of including, so
 * those are not reported.)
 */
final class ShadowCheck {
    private ShadowCheck() {
    }

    /** Per list item: how many (arch, syscall) clauses it produced, how many are shadowed, and by what. */
    private static final class Tally {
        int placed;
        int shadowed;
        RuleRef by;
    }

    static void run(Map<Arch, TreeMap<Integer, List<Placed>>> clauses, Diagnostics diags) {
        Map<Scalar, Tally> tallies = new LinkedHashMap<>();
        for (TreeMap<Integer, List<Placed>> perNr : clauses.values()) {
            for (List<Placed> list : perNr.values()) {
                tally(list, tallies);
            }
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
            Placed decider = deciderInFile.get(p.file().key());
            if (decider != null) {
                t.shadowed++;
                t.by = t.by == null ? decider.clause().rule() : t.by;
            } else if (p.clause().unconditional()) {
                deciderInFile.put(p.file().key(), p);
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
