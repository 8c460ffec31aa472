package dev.syscage.policy.validate;

import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.parse.Expr;
import dev.syscage.policy.parse.ExprParser;
import dev.syscage.policy.parse.ExprSyntaxError;
import dev.syscage.policy.parse.Suggestions;
import dev.syscage.policy.parse.YamlNode.Scalar;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code when} of one rule: parsed once, resolved for each (architecture, syscall) the
 * rule covers. The same mistake usually shows up for many syscalls and architectures, so
 * problems are gathered and reported once each by {@link #finish()}: an argument missing from
 * several syscalls becomes one error listing them.
 */
final class RuleCondition {
    private static final int SHOWN_SIGNATURES = 3;

    private final Scalar source;
    private final Diagnostics diags;
    private final Expr expr;
    private final Map<Integer, Missing> missing = new LinkedHashMap<>();
    private final Set<CondResolver.Problem> others = new LinkedHashSet<>();

    private record Missing(String name, Map<String, Syscall> syscalls) {}

    RuleCondition(Scalar source, Diagnostics diags) {
        this.source = source;
        this.diags = diags;
        Expr e = null;
        try {
            e = ExprParser.parse(source.text());
        } catch (ExprSyntaxError err) {
            diags.error(source.posAt(err.offset()), err.getMessage());
        }
        this.expr = e;
    }

    String text() {
        return source.text();
    }

    /** The condition for one syscall, or null if it has errors (reported by {@link #finish()}). */
    Cond resolve(Syscall syscall) {
        if (expr == null) {
            return null;
        }
        CondResolver.Resolved r = CondResolver.resolve(expr, syscall);
        for (CondResolver.Problem p : r.problems()) {
            if (p.missingArg() != null) {
                missing.computeIfAbsent(p.offset(), o -> new Missing(p.missingArg(), new LinkedHashMap<>()))
                        .syscalls()
                        .putIfAbsent(syscall.name(), syscall);
            } else {
                others.add(p);
            }
        }
        return r.cond();
    }

    void finish() {
        for (CondResolver.Problem p : others) {
            diags.error(source.posAt(p.offset()), p.message());
        }
        missing.forEach((offset, m) -> diags.error(source.posAt(offset), missingMessage(m)));
    }

    private static String missingMessage(Missing m) {
        List<String> sigs = new ArrayList<>();
        m.syscalls().values().forEach(s -> sigs.add(CondResolver.signature(s)));
        String of = sigs.size() <= SHOWN_SIGNATURES
                ? String.join(", ", sigs)
                : String.join(", ", sigs.subList(0, SHOWN_SIGNATURES)) + " and " + (sigs.size() - SHOWN_SIGNATURES)
                        + " more";
        String hint = "";
        if (m.syscalls().size() == 1) {
            Syscall s = m.syscalls().values().iterator().next();
            hint = Suggestions.hint(
                    m.name(), s.params().stream().map(p -> p.name()).toList());
        }
        return "argument '" + m.name() + "' is not a parameter of " + of + hint;
    }
}
