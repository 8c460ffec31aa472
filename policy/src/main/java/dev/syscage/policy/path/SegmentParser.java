package dev.syscage.policy.path;

import dev.syscage.policy.path.PathPattern.Glob;
import dev.syscage.policy.path.PathPattern.Literal;
import dev.syscage.policy.path.PathPattern.Segment;
import dev.syscage.policy.path.PathPattern.Token;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses one component of a path pattern (the text between two '/') into a {@link Segment}.
 * Components that could never match a normalized path ("", ".", "..") are errors rather than
 * silent dead patterns.
 *
 * <pre>
 * component = "**" | { "*" | "?" | class | "\" CHAR | CHAR }
 * class     = "[" ["!" | "^"] item { item } "]"      item = CHAR [ "-" CHAR ]
 * </pre>
 */
final class SegmentParser {
    private final String text;
    private final int end;
    private int at;

    private SegmentParser(String text, int start, int end) {
        this.text = text;
        this.at = start;
        this.end = end;
    }

    /** The segment for {@code text[start, end)}, or {@code null} for {@code **}. */
    static Segment parse(String text, int start, int end) {
        String component = text.substring(start, end);
        checkComponent(text, start, end, component);
        if (component.equals("**")) {
            return null;
        }
        return new SegmentParser(text, start, end).tokens();
    }

    private static void checkComponent(String text, int start, int end, String component) {
        if (component.isEmpty()) {
            if (end == text.length()) {
                String bare = text.substring(0, start - 1);
                // "/x/**/": what is under /x is '/x/**' already; the directory itself is '/x'
                String dir = bare.endsWith("/**") ? bare.substring(0, bare.length() - 3) : bare;
                String under = bare.endsWith("/**") ? bare : text + "**";
                throw new PathPatternSyntaxError(
                        start - 1,
                        "a trailing '/' never matches: matched paths have none; write '" + (dir.isEmpty() ? "/" : dir)
                                + "' for the directory itself or '" + under + "' for what is under it");
            }
            throw new PathPatternSyntaxError(
                    start, "empty path component ('//'); matched paths have '//' folded to '/'");
        }
        if (component.equals(".") || component.equals("..")) {
            throw new PathPatternSyntaxError(
                    start,
                    "'" + component + "' in a path pattern never matches: paths are "
                            + "matched with '.' and '..' already folded");
        }
        int stars = component.indexOf("**");
        if (stars >= 0 && !component.equals("**")) {
            throw new PathPatternSyntaxError(
                    start + stars,
                    "'**' must be a whole path component, as in '/usr/**' or "
                            + "'/usr/**/lib'; within a name use '*'");
        }
    }

    private Segment tokens() {
        List<Token> tokens = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        boolean onlyLiterals = true;
        while (at < end) {
            int c = text.codePointAt(at);
            Token t = switch (c) {
                case '*' -> advance(Token.STAR, 1);
                case '?' -> advance(Token.ANY, 1);
                case '[' -> charClass();
                case '\\' -> escaped();
                default -> advance(Token.literal(c), Character.charCount(c));
            };
            tokens.add(t);
            if (t.kind() == Token.Kind.LITERAL) {
                literal.appendCodePoint(t.codePoint());
            } else {
                onlyLiterals = false;
            }
        }
        return onlyLiterals ? new Literal(literal.toString()) : new Glob(tokens.toArray(new Token[0]));
    }

    private Token advance(Token t, int chars) {
        at += chars;
        return t;
    }

    private Token escaped() {
        int slash = at;
        at++;
        if (at >= end) {
            throw new PathPatternSyntaxError(
                    slash,
                    at < text.length()
                            ? "'\\' cannot escape '/': a path component never contains one"
                            : "'\\' at the end escapes nothing");
        }
        int c = text.codePointAt(at);
        at += Character.charCount(c);
        return Token.literal(c);
    }

    /** {@code [abc]}, {@code [a-z0-9]}, {@code [!.]}: one character of (or, negated, not of) a set. */
    private Token charClass() {
        int open = at++;
        boolean negated = at < end && (text.charAt(at) == '!' || text.charAt(at) == '^');
        if (negated) {
            at++;
        }
        List<Integer> ranges = new ArrayList<>();
        while (at < end && text.charAt(at) != ']') {
            int loAt = at;
            int lo = classChar();
            int hi = lo;
            if (at + 1 < end && text.charAt(at) == '-' && text.charAt(at + 1) != ']') {
                at++;
                hi = classChar();
                if (hi < lo) {
                    throw new PathPatternSyntaxError(
                            loAt,
                            "range '" + text.substring(loAt, at) + "' is backwards; write the smaller character first");
                }
            }
            ranges.add(lo);
            ranges.add(hi);
        }
        if (at >= end) {
            throw new PathPatternSyntaxError(
                    open,
                    "unclosed '['; a character class ends with ']' in the same path "
                            + "component (write '\\[' for a literal '[')");
        }
        if (ranges.isEmpty()) {
            throw new PathPatternSyntaxError(open, "empty character class '" + text.substring(open, at + 1) + "'");
        }
        at++; // ']'
        return new Token(
                Token.Kind.CLASS, 0, ranges.stream().mapToInt(Integer::intValue).toArray(), negated);
    }

    private int classChar() {
        if (text.charAt(at) == '\\' && at + 1 < end) {
            at++;
        }
        int c = text.codePointAt(at);
        at += Character.charCount(c);
        return c;
    }
}
