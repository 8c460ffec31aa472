package dev.syscage.learn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code suggest --merge}: a policy's text with rules put first in its {@code rules:} list, its
 * {@code supervise: rules:} list (first match wins, so they decide before the rules that denied
 * the calls) and its {@code filesystem: allow:} list (a list, or a section, added where it has
 * none). The text is changed only there, so its comments and layout stay; the items take
 * the indentation of the list's own. A list written in flow style ({@code rules: [...]}, other
 * than {@code []}) cannot be added to this way: {@link CannotMerge}.
 */
public final class RuleInsertion {
    private static final Pattern TOP_RULES = Pattern.compile("^rules:\\s*(\\[\\s*\\])?\\s*(#.*)?$");
    private static final Pattern ITEM = Pattern.compile("^(\\s*)- ");

    /** The policy's lists are not where or how this class can add to them. */
    public static final class CannotMerge extends Exception {
        CannotMerge(String message) {
            super(message);
        }
    }

    private RuleInsertion() {}

    /**
     * {@code text} with {@code first} first and {@code last} last in its {@code rules:} list (items
     * at two spaces), and {@code supervise} ({@code supervise: rules:} items at four) first in
     * that list; any may be empty.
     */
    public static String insert(String text, String first, String last, String supervise) throws CannotMerge {
        return insert(text, first, last, supervise, "");
    }

    /** As {@link #insert(String, String, String, String)}, and {@code filesystem} ({@code filesystem: allow:} items at four) first in that list. */
    public static String insert(String text, String first, String last, String supervise, String filesystem)
            throws CannotMerge {
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        if (!first.isEmpty() || !last.isEmpty()) {
            insertTop(lines, first, last);
        }
        if (!supervise.isEmpty()) {
            insertNested(lines, "supervise", "rules", supervise);
        }
        if (!filesystem.isEmpty()) {
            insertNested(lines, "filesystem", "allow", filesystem);
        }
        return String.join("\n", lines) + "\n";
    }

    private static void insertTop(List<String> lines, String first, String last) throws CannotMerge {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("rules:")) {
                Matcher m = TOP_RULES.matcher(lines.get(i));
                if (!m.matches()) {
                    throw new CannotMerge(
                            "line " + (i + 1) + ": 'rules:' is written in flow style; write it as a block list");
                }
                lines.set(i, "rules:");
                int indent = itemIndent(lines, i + 1, 2);
                lines.addAll(end(lines, i + 1, indent), reindent(last, 2, indent));
                lines.addAll(i + 1, reindent(first, 2, indent));
                return;
            }
        }
        lines.add("rules:");
        lines.addAll(reindent(first + last, 2, 2));
    }

    /**
     * Where the block list that starts at {@code from} ends: before the next line indented less
     * than its items (or a top-level key), and before the blank and comment lines just above it.
     */
    private static int end(List<String> lines, int from, int indent) {
        int last = from; // one past the list's last line with content
        for (int i = from; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isBlank() || l.trim().startsWith("#")) {
                continue;
            }
            int lead = leading(l);
            boolean inList =
                    lead > indent || (lead == indent && (l.startsWith("- ", lead) || l.equals("-") || lead > 0));
            if (!inList) {
                break;
            }
            last = i + 1;
        }
        return last;
    }

    /**
     * {@code items} (at four spaces) first in the block list {@code section: key:}; the list, or
     * the section, added where the policy has none.
     */
    private static void insertNested(List<String> lines, String section, String key, String items) throws CannotMerge {
        Pattern head = Pattern.compile("^" + section + ":\\s*(#.*)?$");
        Pattern nested = Pattern.compile("^(\\s+)" + key + ":\\s*(\\[\\s*\\])?\\s*(#.*)?$");
        String what = "'" + section + ": " + key + ":'";
        int sup = -1;
        for (int i = 0; i < lines.size() && sup < 0; i++) {
            sup = head.matcher(lines.get(i)).matches() ? i : -1;
            if (sup < 0 && lines.get(i).startsWith(section + ":")) {
                throw new CannotMerge(
                        "line " + (i + 1) + ": '" + section + ":' is written in flow style; write it as a block");
            }
        }
        if (sup < 0) {
            lines.add(section + ":");
            lines.add("  " + key + ":");
            lines.addAll(reindent(items, 4, 4));
            return;
        }
        for (int i = sup + 1;
                i < lines.size()
                        && (lines.get(i).isBlank()
                                || lines.get(i).startsWith(" ")
                                || lines.get(i).startsWith("#"));
                i++) {
            Matcher m = nested.matcher(lines.get(i));
            if (m.matches()) {
                lines.set(i, m.group(1) + key + ":");
                lines.addAll(
                        i + 1,
                        reindent(items, 4, itemIndent(lines, i + 1, m.group(1).length() + 2)));
                return;
            }
            if (lines.get(i).trim().startsWith(key + ":")) {
                throw new CannotMerge(
                        "line " + (i + 1) + ": " + what + " is written in flow style; write it as a block list");
            }
        }
        lines.add(sup + 1, "  " + key + ":");
        lines.addAll(sup + 2, reindent(items, 4, 4));
    }

    /** The indentation of the list's first item at or after {@code from}, else {@code otherwise}. */
    private static int itemIndent(List<String> lines, int from, int otherwise) {
        for (int i = from; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isBlank() || l.trim().startsWith("#")) {
                continue;
            }
            Matcher m = ITEM.matcher(l);
            return m.find() ? m.group(1).length() : otherwise;
        }
        return otherwise;
    }

    private static List<String> reindent(String items, int from, int to) {
        List<String> out = new ArrayList<>();
        for (String l : items.isEmpty() ? new String[0] : items.split("\n")) {
            out.add(to >= from ? " ".repeat(to - from) + l : l.substring(Math.min(from - to, leading(l))));
        }
        return out;
    }

    private static int leading(String l) {
        int n = 0;
        while (n < l.length() && l.charAt(n) == ' ') {
            n++;
        }
        return n;
    }
}
