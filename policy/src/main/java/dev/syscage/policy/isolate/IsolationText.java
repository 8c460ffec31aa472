package dev.syscage.policy.isolate;

import dev.syscage.policy.landlock.RulesetJson;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link Isolation} for people and for tools: what {@code check}, {@code disasm} and
 * {@code compile --format json} show beside the Landlock ruleset.
 *
 * <pre>
 * isolate: namespaces (net, ipc), read-only mounts (1 read-only, 1 writable); best-effort
 *   namespaces: net, ipc (besides the pid and mount namespaces of every contained run)
 *   read-only, recursively: / (p.yaml:4)
 *   writable beneath them: /tmp
 * </pre>
 */
public final class IsolationText {
    private IsolationText() {}

    /** One line: what the section asks for and its compat, or {@code isolate: none (...)}. */
    public static String summary(Isolation i) {
        if (i.isEmpty()) {
            return "isolate: none (the pid and mount namespaces of every contained run only)";
        }
        List<String> parts = new ArrayList<>();
        if (!i.namespaces().isEmpty()) {
            parts.add("namespaces (" + String.join(", ", words(i)) + ")");
        }
        if (!i.readOnly().isEmpty()) {
            parts.add("read-only mounts (" + i.readOnly().size() + " read-only, "
                    + i.writable().size() + " writable)");
        }
        return "isolate: " + String.join(", ", parts) + "; " + i.compat().word();
    }

    /** {@link #summary} and, indented, the namespaces and the paths. */
    public static List<String> describe(Isolation i) {
        List<String> out = new ArrayList<>();
        out.add(summary(i));
        if (i.isEmpty()) {
            return out;
        }
        if (!i.namespaces().isEmpty()) {
            out.add("  namespaces: " + String.join(", ", words(i))
                    + " (besides the pid and mount namespaces of every contained run)");
        }
        if (!i.readOnly().isEmpty()) {
            out.add("  read-only, recursively: " + String.join(", ", i.readOnly())
                    + (i.pos() == null ? "" : " (" + i.pos().fileLine() + ")"));
        }
        if (!i.writable().isEmpty()) {
            out.add("  writable beneath them: " + String.join(", ", i.writable()));
        }
        return out;
    }

    /**
     * The section as a JSON object, its lines after the first indented by {@code indent}:
     * {@code {"namespaces": [...], "read_only": [...], "writable": [...], "compat": "...", "source": ...}}.
     */
    public static String toJson(Isolation i, String indent) {
        String in = indent + "  ";
        List<String> members = List.of(
                "\"namespaces\": " + list(words(i)),
                "\"read_only\": " + list(i.readOnly()),
                "\"writable\": " + list(i.writable()),
                "\"compat\": " + RulesetJson.quote(i.compat().word()),
                "\"source\": "
                        + (i.pos() == null ? "null" : RulesetJson.quote(i.pos().fileLine())));
        return "{\n" + in + String.join(",\n" + in, members) + "\n" + indent + "}";
    }

    private static List<String> words(Isolation i) {
        return i.namespaces().stream().map(Namespace::word).toList();
    }

    private static String list(List<String> items) {
        return "[" + String.join(", ", items.stream().map(RulesetJson::quote).toList()) + "]";
    }
}
