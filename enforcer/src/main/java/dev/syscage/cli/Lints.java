package dev.syscage.cli;

import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.lint.PolicyLint;
import dev.syscage.policy.model.Policy;
import dev.syscage.supervise.notify.RaceFree;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the policy lints before a program is started: warnings are printed, an error (such as a
 * policy that kills execve, which the launcher itself needs) stops the run before anything starts.
 * In notify mode, path rules on calls the supervisor does not make itself are pointed out too
 * ({@link RaceFree#lint}).
 */
final class Lints {
    private Lints() {
    }

    static void check(Policy policy, boolean notify, PrintWriter err) {
        List<Diagnostic> found = new ArrayList<>(PolicyLint.check(policy));
        if (notify) {
            found.addAll(RaceFree.lint(policy));
        }
        List<Diagnostic> errors = found.stream().filter(Diagnostic::isError).toList();
        if (!errors.isEmpty()) {
            throw new PolicyException(errors);
        }
        for (Diagnostic d : found) {
            err.println(d.render());
        }
        err.flush();
    }
}
