package dev.syscage.policy.path;

import java.util.ArrayList;
import java.util.List;

/**
 * A glob over absolute, normalized paths (no "//", no "." or ".." components, no trailing
 * '/'; {@link LexicalPath} makes them), as written in a supervise rule's {@code path:}. It is
 * compiled once into one matcher per path component and then matched without regular
 * expressions or allocation, so a pattern can never backtrack badly on a long path.
 *
 * <pre>
 * pattern   = "/" | "/" component { "/" component }
 * component = "**" | { "*" | "?" | class | "\" CHAR | CHAR }      (CHAR: anything but '/')
 * class     = "[" ["!" | "^"] ( CHAR | CHAR "-" CHAR ) { ... } "]"
 * </pre>
 *
 * <ul>
 *   <li>{@code *} matches any run of characters within one component, {@code ?} one character,
 *       {@code [a-z]} one of a set ({@code [!a-z]}: one not in it). None of them matches '/'.
 *   <li>{@code **} must be a whole component and matches whole components: in the middle any
 *       number of them, none included ({@code /a/**}{@code /b} matches {@code /a/b} and
 *       {@code /a/x/y/b}); at the end one or more ({@code /usr/**} matches everything under
 *       {@code /usr} but not {@code /usr} itself), as in gitignore.
 *   <li>{@code \} makes the next character literal ({@code /tmp/\*}).
 * </ul>
 */
public final class PathPattern {
    private final String text;
    /** One matcher per component; {@code null} stands for {@code **}. */
    private final Segment[] segments;
    /** How many leading segments are literal; they are checked at once through {@link #prefix}. */
    private final int literalCount;
    /** The literal start every matching path has ("/usr/"), or the whole path for a literal pattern. */
    private final String prefix;

    private PathPattern(String text, List<Segment> segments) {
        this.text = text;
        this.segments = segments.toArray(new Segment[0]);
        int k = 0;
        StringBuilder sb = new StringBuilder("/");
        while (k < this.segments.length && this.segments[k] instanceof Literal l) {
            sb.append(l.text).append('/');
            k++;
        }
        this.literalCount = k;
        boolean allLiteral = k == this.segments.length;
        this.prefix = allLiteral && k > 0 ? sb.substring(0, sb.length() - 1) : sb.toString();
    }

    /**
     * Compiles a pattern.
     *
     * @throws PathPatternSyntaxError with the offset of the mistake in {@code text}
     */
    public static PathPattern compile(String text) {
        if (text.isEmpty()) {
            throw new PathPatternSyntaxError(0, "empty path pattern; write an absolute path such as '/tmp/**'");
        }
        if (!text.startsWith("/")) {
            boolean hint = !text.startsWith(".") && !text.startsWith("~");
            throw new PathPatternSyntaxError(
                    0,
                    "path pattern '" + text + "' is not absolute; patterns match absolute " + "paths"
                            + (hint ? " (did you mean '/" + text + "'?)" : ""));
        }
        List<Segment> segments = new ArrayList<>();
        if (text.length() > 1) {
            int start = 1;
            while (true) {
                int end = text.indexOf('/', start);
                int stop = end < 0 ? text.length() : end;
                segments.add(SegmentParser.parse(text, start, stop));
                if (end < 0) {
                    break;
                }
                start = end + 1;
            }
        }
        // a trailing ** needs at least one component: /usr/** is /usr/*/**
        if (!segments.isEmpty() && segments.get(segments.size() - 1) == null) {
            segments.add(segments.size() - 1, Glob.ANY_COMPONENT);
        }
        return new PathPattern(text, segments);
    }

    /** The pattern as written. */
    public String text() {
        return text;
    }

    /** Whether the absolute, normalized {@code path} matches; any other string does not. */
    public boolean matches(String path) {
        if (literalCount == segments.length) {
            return path.equals(prefix);
        }
        if (!path.startsWith(prefix)) {
            return false;
        }
        return matchFrom(path, literalCount, prefix.length());
    }

    /**
     * Wildcard matching over components, {@code **} standing for any run of them: on a mismatch,
     * go back to the last {@code **} and let it take one component more. Every other segment
     * matches exactly one component, so this greedy scheme is exact.
     */
    private boolean matchFrom(String path, int p, int s) {
        int len = path.length();
        int starP = -1;
        int starS = -1;
        while (s < len) {
            int e = componentEnd(path, s);
            if (p < segments.length && segments[p] != null && segments[p].matches(path, s, e)) {
                p++;
                s = e + 1;
            } else if (p < segments.length && segments[p] == null) {
                starP = p++;
                starS = s;
            } else if (starP >= 0) {
                p = starP + 1;
                starS = componentEnd(path, starS) + 1;
                s = starS;
            } else {
                return false;
            }
        }
        while (p < segments.length && segments[p] == null) {
            p++;
        }
        return p == segments.length;
    }

    private static int componentEnd(String path, int from) {
        int e = path.indexOf('/', from);
        return e < 0 ? path.length() : e;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PathPattern p && p.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }

    /** Matches one path component, the characters {@code [from, to)} of a path. */
    interface Segment {
        boolean matches(String path, int from, int to);
    }

    /** A component without wildcards: compared as a string. */
    record Literal(String text) implements Segment {
        @Override
        public boolean matches(String path, int from, int to) {
            return to - from == text.length() && path.startsWith(text, from);
        }
    }

    /** A component with wildcards, as tokens. */
    record Glob(Token[] tokens) implements Segment {
        static final Glob ANY_COMPONENT = new Glob(new Token[] {Token.STAR});

        /**
         * The classic one-wildcard-kind glob match: on a mismatch, the last {@code *} takes one
         * character more. Characters are code points.
         */
        @Override
        public boolean matches(String path, int from, int to) {
            int p = 0;
            int s = from;
            int starP = -1;
            int starS = -1;
            while (s < to) {
                int c = path.codePointAt(s);
                if (p < tokens.length && tokens[p] != Token.STAR && tokens[p].matches(c)) {
                    p++;
                    s += Character.charCount(c);
                } else if (p < tokens.length && tokens[p] == Token.STAR) {
                    starP = p++;
                    starS = s;
                } else if (starP >= 0) {
                    p = starP + 1;
                    starS += Character.charCount(path.codePointAt(starS));
                    s = starS;
                } else {
                    return false;
                }
            }
            while (p < tokens.length && tokens[p] == Token.STAR) {
                p++;
            }
            return p == tokens.length;
        }
    }

    /**
     * One character matcher of a glob component: a literal code point, {@code ?}, a class, or
     * {@link #STAR} (handled by {@link Glob}). {@code ranges} holds inclusive pairs.
     */
    record Token(Kind kind, int codePoint, int[] ranges, boolean negated) {
        enum Kind {
            LITERAL,
            ANY,
            CLASS,
            STAR
        }

        static final Token STAR = new Token(Kind.STAR, 0, null, false);
        static final Token ANY = new Token(Kind.ANY, 0, null, false);

        static Token literal(int c) {
            return new Token(Kind.LITERAL, c, null, false);
        }

        boolean matches(int c) {
            return switch (kind) {
                case LITERAL -> c == codePoint;
                case ANY -> true;
                case CLASS -> inRanges(c) != negated;
                case STAR -> false;
            };
        }

        private boolean inRanges(int c) {
            for (int i = 0; i < ranges.length; i += 2) {
                if (c >= ranges[i] && c <= ranges[i + 1]) {
                    return true;
                }
            }
            return false;
        }
    }
}
