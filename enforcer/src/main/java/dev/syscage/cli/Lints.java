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
 * The policy lints, one set for every command that loads a policy ({@link PolicyLint}; in notify
 * mode also {@link RaceFree#lint}, path rules on calls the supervisor does not make itself).
 * {@code run} stops on an error (such as a policy that kills execve, which the launcher itself
 * needs) before anything starts; {@code compile}, {@code check}, {@code disasm}, {@code export},
 * {@code profiles} (each shipped profile it lists or shows) and {@code learn} (the profile it
 * wrote, after writing it) show the same findings and carry on, an error shown as a warning that
 * says {@code run} would stop there. {@code -W} ({@link Warnings}) silences or promotes the
 * warnings.
 */
final class Lints {
    private Lints() {}

    /** For {@code run}: errors thrown together; the warnings as {@code -W} says. */
    static void check(Policy policy, boolean notify, PrintWriter err, Warnings warnings) {
        List<Diagnostic> found = findings(policy, notify);
        List<Diagnostic> errors = found.stream().filter(Diagnostic::isError).toList();
        if (!errors.isEmpty()) {
            throw new PolicyException(errors);
        }
        warnings.emit(found, err);
    }

    /** For the commands that start nothing: every finding a warning, shown, dropped or thrown as {@code -W} says. */
    static void report(Policy policy, PrintWriter err, Warnings warnings) {
        List<Diagnostic> shown = new ArrayList<>();
        for (Diagnostic d : findings(policy, false)) {
            shown.add(
                    d.isError() ? Diagnostic.warning(d.pos(), d.message() + " (syscage run refuses to start it)") : d);
        }
        warnings.emit(shown, err);
    }

    private static List<Diagnostic> findings(Policy policy, boolean notify) {
        List<Diagnostic> found = new ArrayList<>(PolicyLint.check(policy));
        if (notify) {
            found.addAll(RaceFree.lint(policy));
        }
        return found;
    }
}
