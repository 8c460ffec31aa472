package dev.syscage.policy.yaml;

import dev.syscage.policy.arch.Arch;
import java.util.List;

/**
 * Writes syscage policies as YAML (language version 1), laid out for people, for every command
 * that writes one ({@code import}, {@code learn}, {@code suggest}): header comments saying where
 * the policy came from, the document's keys, then its rules, each with a {@code comment:} citing
 * where it came from. Syscall lists are flow sequences wrapped at about 100 columns; strings are
 * double-quoted ({@link #quote}), comments made printable ({@link #printable}), so that any
 * name or description a profile or a user gives reads back as the same string.
 */
public final class PolicyYamlWriter {
    private static final int WIDTH = 100;

    /** A rule of the policy; {@code when} is null for none. */
    public record Rule(String comment, String action, List<String> syscalls, String when) {
        public Rule {
            syscalls = List.copyOf(syscalls);
        }
    }

    /** The whole policy, actions already spelled as YAML. */
    public record Document(
            List<String> header,
            String name,
            String description,
            List<Arch> arches,
            String defaultAction,
            String unknownAction,
            String badArchAction,
            List<Rule> rules) {
        public Document {
            header = List.copyOf(header);
            arches = List.copyOf(arches);
            rules = List.copyOf(rules);
        }
    }

    private PolicyYamlWriter() {}

    public static String write(Document d) {
        StringBuilder sb = new StringBuilder();
        header(sb, d.header(), d.name(), d.description());
        sb.append("arch: [")
                .append(String.join(
                        ", ", d.arches().stream().map(Arch::yamlName).toList()))
                .append("]\n");
        sb.append("default: ").append(d.defaultAction()).append('\n');
        sb.append("unknown: ").append(d.unknownAction()).append('\n');
        sb.append("bad_arch: ").append(d.badArchAction()).append('\n');
        if (d.rules().isEmpty()) {
            sb.append("rules: []\n");
            return sb.toString();
        }
        sb.append("rules:\n");
        for (Rule r : d.rules()) {
            sb.append("  - comment: ").append(quote(r.comment())).append('\n');
            sb.append("    action: ").append(r.action()).append('\n');
            sb.append(flowList("    syscalls: ", r.syscalls(), "        "));
            if (r.when() != null) {
                sb.append("    when: ").append(quote(r.when())).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * The document's start: {@code comments} as comment lines (an empty one as a bare {@code #}),
     * then {@code version: 1}, {@code name:} and {@code description:}.
     */
    public static void header(StringBuilder sb, List<String> comments, String name, String description) {
        for (String h : comments) {
            sb.append(h.isEmpty() ? "#" : "# " + printable(h)).append('\n');
        }
        sb.append("version: 1\n");
        sb.append("name: ").append(quote(name)).append('\n');
        sb.append("description: ").append(quote(description)).append('\n');
    }

    /** {@code key: [a, b, c,} wrapped onto continuation lines indented by {@code indent}. */
    private static String flowList(String key, List<String> items, String indent) {
        StringBuilder sb = new StringBuilder(key).append('[');
        int col = sb.length();
        for (int i = 0; i < items.size(); i++) {
            String item = items.get(i) + (i + 1 < items.size() ? "," : "]");
            if (i > 0 && col + 1 + item.length() > WIDTH) {
                sb.append('\n').append(indent);
                col = indent.length();
            } else if (i > 0) {
                sb.append(' ');
                col++;
            }
            sb.append(item);
            col += item.length();
        }
        if (items.isEmpty()) {
            sb.append(']');
        }
        return sb.append('\n').toString();
    }

    /**
     * Text for a comment: what YAML does not allow there (control characters, DEL, C1 controls; a
     * profile's names and comments may hold any) written as {@code \\uXXXX}.
     */
    public static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '\t' || yamlPrintable(c)) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        return sb.toString();
    }

    /**
     * YAML 1.1's printable characters that are not line breaks (NEL, LS and PS end a comment);
     * surrogates pass: a pair is a printable character.
     */
    private static boolean yamlPrintable(char c) {
        return c >= 0x20
                && c != 0x7f
                && !(c >= 0x80 && c <= 0x9f)
                && c != 0x2028
                && c != 0x2029
                && c != 0xfffe
                && c != 0xffff;
    }

    /**
     * A YAML double-quoted scalar: any string, read back as itself (not as a number, a boolean,
     * null, a key or a comment). JSON's escapes are valid YAML; what YAML does not allow in a
     * scalar (control characters, DEL, C1 controls, line and paragraph separators) is escaped.
     */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (!yamlPrintable(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
