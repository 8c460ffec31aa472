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

    public enum Severity {
        ERROR("error"), WARNING("warning"), NOTE("note");

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
        return (pos == null ? "syscage" : pos.toString()) + ": " + severity.label() + ": " + message;
    }

    /** Header, quoted source line and caret; the quote is left out when the text is unknown. */
    public String render() {
        StringBuilder sb = new StringBuilder(header());
        if (pos != null) {
            String src = pos.source().line(pos.line());
            if (!src.isEmpty()) {
                sb.append('\n').append("    ").append(src).append('\n').append("    ");
                int upto = Math.min(Math.max(pos.column() - 1, 0), src.length());
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
