package dev.syscage.policy.validate;

import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.SuperviseDecision;
import dev.syscage.policy.parse.Suggestions;
import dev.syscage.policy.parse.YamlNode.Scalar;
import java.util.List;
import java.util.Optional;

/**
 * Reads a supervise rule's {@code decision} (or the section's {@code default}). The words are
 * those of actions, so errno names and numbers are read by {@link ActionParser}; seccomp-only
 * actions are refused with a message saying why.
 *
 * <pre>
 * decision = "allow" | "kill" | "errno" ( ERRNO_NAME | 1..4095 )
 * </pre>
 */
final class DecisionParser {
    private static final List<String> WORDS = List.of("allow", "errno", "kill");
    private static final List<String> SECCOMP_ONLY = List.of("log", "kill_thread", "trap", "trace", "notify");
    private static final String EXPECTED = "allow, errno NAME or kill";

    private DecisionParser() {}

    static Optional<SuperviseDecision> parse(Scalar s, Diagnostics diags) {
        String text = s.text();
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            diags.error(s.pos(), "expected a decision (" + EXPECTED + "), got '" + text + "'");
            return Optional.empty();
        }
        String[] parts = trimmed.split("\\s+");
        String word = parts[0];
        int wordAt = text.indexOf(trimmed);
        if (SECCOMP_ONLY.contains(word)) {
            diags.error(
                    s.posAt(wordAt),
                    "'" + word + "' is a seccomp action, not a supervise decision; " + "the supervisor can only "
                            + EXPECTED);
            return Optional.empty();
        }
        if (!WORDS.contains(word) && !word.equals("kill_process")) {
            String hint = Suggestions.hint(word, WORDS);
            diags.error(
                    s.posAt(wordAt),
                    "unknown decision '" + word + "'" + (hint.isEmpty() ? "; expected " + EXPECTED : hint));
            return Optional.empty();
        }
        if (word.equals("errno") && parts.length == 1) {
            diags.error(s.pos(), "'errno' needs an error: a name such as EACCES, or a number 1.." + Action.MAX_ERRNO);
            return Optional.empty();
        }
        return ActionParser.parse(s, diags).flatMap(a -> decision(a, s, parts, diags));
    }

    private static Optional<SuperviseDecision> decision(Action a, Scalar s, String[] parts, Diagnostics diags) {
        return switch (a.kind()) {
            case ALLOW -> Optional.of(SuperviseDecision.ALLOW);
            case KILL_PROCESS -> Optional.of(SuperviseDecision.KILL);
            case ERRNO -> {
                if (a.value() == 0) {
                    int at = s.text().lastIndexOf(parts[1]);
                    diags.error(
                            s.posAt(at),
                            "'errno " + parts[1] + "' would make the call look successful without "
                                    + "running it; a supervise decision needs an errno 1.." + Action.MAX_ERRNO);
                    yield Optional.empty();
                }
                yield Optional.of(SuperviseDecision.errno(a.value()));
            }
            default -> throw new IllegalStateException("not a decision word: " + a);
        };
    }
}
