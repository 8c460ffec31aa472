package dev.syscage.policy.validate;

import dev.syscage.policy.arch.Constants;
import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.parse.Suggestions;
import dev.syscage.policy.parse.YamlNode.Scalar;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads an action as written in a policy:
 *
 * <pre>
 * action = "allow" | "log" | "kill" | "kill_process" | "kill_thread" | "notify"
 *        | "errno" ( ERRNO_NAME | 0..4095 ) | "trap" [ 0..65535 ] | "trace" [ 0..65535 ]
 * </pre>
 */
final class ActionParser {
    private static final List<String> WORDS =
            List.of("allow", "log", "errno", "kill", "kill_process", "kill_thread", "trap", "trace", "notify");
    private static final int MAX_DATA = 0xFFFF;

    private ActionParser() {}

    static Optional<Action> parse(Scalar s, Diagnostics diags) {
        String text = s.text();
        String trimmed = text.strip();
        int wordAt = text.indexOf(trimmed);
        String[] parts = trimmed.split("\\s+");
        if (trimmed.isEmpty() || parts.length > 2) {
            diags.error(
                    s.pos(),
                    "expected an action (allow, log, errno NAME, kill, kill_thread, trap, trace, notify), got '" + text
                            + "'");
            return Optional.empty();
        }
        String word = parts[0];
        Optional<String> arg = parts.length == 2 ? Optional.of(parts[1]) : Optional.empty();
        int argAt = arg.map(a -> text.indexOf(a, wordAt + word.length())).orElse(-1);
        return switch (word) {
            case "allow" -> noValue(s, word, arg, argAt, Action.ALLOW, diags);
            case "log" -> noValue(s, word, arg, argAt, Action.LOG, diags);
            case "kill", "kill_process" -> noValue(s, word, arg, argAt, Action.KILL, diags);
            case "kill_thread" -> noValue(s, word, arg, argAt, Action.KILL_THREAD, diags);
            case "notify" -> noValue(s, word, arg, argAt, Action.NOTIFY, diags);
            case "errno" -> errno(s, arg, argAt, diags);
            case "trap", "trace" -> data(s, word, arg, argAt, diags);
            default -> {
                diags.error(s.posAt(wordAt), "unknown action '" + word + "'" + hint(word));
                yield Optional.empty();
            }
        };
    }

    private static String hint(String word) {
        String h = Suggestions.hint(word, WORDS);
        return h.isEmpty() ? "; expected allow, log, errno NAME, kill, kill_thread, trap, trace or notify" : h;
    }

    private static Optional<Action> noValue(
            Scalar s, String word, Optional<String> arg, int argAt, Action a, Diagnostics diags) {
        if (arg.isPresent()) {
            diags.error(s.posAt(argAt), "'" + word + "' takes no value");
            return Optional.empty();
        }
        return Optional.of(a);
    }

    private static Optional<Action> errno(Scalar s, Optional<String> arg, int argAt, Diagnostics diags) {
        if (arg.isEmpty()) {
            diags.error(s.pos(), "'errno' needs an error: a name such as EPERM, or a number 0.." + Action.MAX_ERRNO);
            return Optional.empty();
        }
        String a = arg.get();
        if (isNumber(a)) {
            long n = number(a);
            if (n > Action.MAX_ERRNO) {
                diags.error(
                        s.posAt(argAt),
                        "errno " + a + " is out of range; seccomp returns errno 0.." + Action.MAX_ERRNO);
                return Optional.empty();
            }
            return Optional.of(Action.errno((int) n));
        }
        OptionalLong v = Constants.errno(a);
        if (v.isEmpty()) {
            diags.error(s.posAt(argAt), "unknown errno name '" + a + "'" + Suggestions.hint(a, Constants.errnoNames()));
            return Optional.empty();
        }
        return Optional.of(Action.errno((int) v.getAsLong()));
    }

    private static Optional<Action> data(Scalar s, String word, Optional<String> arg, int argAt, Diagnostics diags) {
        long n = 0;
        if (arg.isPresent()) {
            if (!isNumber(arg.get()) || (n = number(arg.get())) > MAX_DATA) {
                diags.error(
                        s.posAt(argAt),
                        "'" + word + "' data must be a number 0.." + MAX_DATA + ", got '" + arg.get() + "'");
                return Optional.empty();
            }
        }
        return Optional.of(word.equals("trap") ? Action.trap((int) n) : Action.trace((int) n));
    }

    private static boolean isNumber(String a) {
        return !a.isEmpty() && a.chars().allMatch(Character::isDigit);
    }

    /** A decimal number, saturated so that absurdly long ones are simply out of range. */
    private static long number(String digits) {
        return digits.length() > 12 ? Long.MAX_VALUE : Long.parseLong(digits);
    }
}
