package dev.syscage.cli;

import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.PolicyException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * {@code -W show|none|error}: what a command does with the warnings about a policy, the
 * loader's (a shadowed rule, a supervise rule that never runs) and the lints' ({@link Lints}):
 * print them, say nothing, or make each an error that stops the command (exit status 2) before
 * it writes or runs anything. A lint that stops {@code run} stays an error whatever is chosen.
 */
enum Warnings {
    SHOW,
    NONE,
    ERROR;

    static Warnings parse(String word) {
        try {
            return valueOf(word.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw UserException.badInput("unknown -W '" + word + "' (choose show, none or error)");
        }
    }

    /** Prints, drops or throws {@code warnings}; nothing for none. */
    void emit(List<Diagnostic> warnings, PrintWriter err) {
        if (warnings.isEmpty() || this == NONE) {
            return;
        }
        if (this == ERROR) {
            throw new PolicyException(warnings.stream()
                    .map(w -> w.isError() ? w : Diagnostic.error(w.pos(), w.message() + " (-W error)"))
                    .toList());
        }
        warnings.forEach(w -> err.println(w.render()));
        err.flush();
    }
}
