package dev.syscage.policy.diag;

/**
 * One problem found in a policy. Rendered the way compilers do, with the source line and a
 * caret under the column:
 *
 * <pre>
 * web.yaml:12:9: error: unknown syscall 'opnat' (did you mean 'openat'?)
 *     - allow: [read, opnat]
 *                     ^
 * </pre>
 */
public record Diagnostic(Severity severity, SourcePos pos, String message) {
    /** Characters of a source line quoted at most; a longer line is cut around the column. */
    static final int QUOTE_WIDTH = 120;

    public enum Severity {
        ERROR("error"),
        WARNING("warning"),
        NOTE("note");

        private final String label;

        Severity(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public static Diagnostic error(SourcePos pos, String message) {
        return new Diagnostic(Severity.ERROR, pos, message);
    }

    public static Diagnostic warning(SourcePos pos, String message) {
        return new Diagnostic(Severity.WARNING, pos, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** The header line alone: {@code file:line:column: error: message}. */
    public String header() {
        return (pos == null ? "syscage" : pos.toString()) + ": " + severity.label() + ": " + printable(message);
    }

    /**
     * The text with control characters (a NUL, an escape sequence from a hostile file) shown as
     * '?', so quoting input cannot garble or drive the terminal; tabs and newlines stay.
     */
    static String printable(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                if (sb == null) {
                    sb = new StringBuilder(s);
                }
                sb.setCharAt(i, '?');
            }
        }
        return sb == null ? s : sb.toString();
    }

    /** Header, quoted source line and caret; the quote is left out when the text is unknown. */
    public String render() {
        StringBuilder sb = new StringBuilder(header());
        if (pos != null) {
            String line = pos.source().line(pos.line());
            if (!line.isEmpty()) {
                int column = Math.min(Math.max(pos.column() - 1, 0), line.length());
                // a long line is quoted around the column, "..." marking what is left out
                int from = line.length() <= QUOTE_WIDTH
                        ? 0
                        : Math.max(0, Math.min(column - QUOTE_WIDTH / 2, line.length() - QUOTE_WIDTH));
                int to = Math.min(line.length(), from + QUOTE_WIDTH);
                String src = (from > 0 ? "..." : "")
                        + printable(line.substring(from, to))
                        + (to < line.length() ? "..." : "");
                int upto = column - from + (from > 0 ? 3 : 0);
                sb.append('\n').append("    ").append(src).append('\n').append("    ");
                for (int i = 0; i < upto; i++) {
                    sb.append(src.charAt(i) == '\t' ? '\t' : ' ');
                }
                sb.append('^');
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return header();
    }
}
