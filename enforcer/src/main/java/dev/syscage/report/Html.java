package dev.syscage.report;

/**
 * Escaping for the report page. Everything a log says (paths, names, arguments) is the traced
 * program's to choose, so every such string goes through {@link #esc} before it reaches the page,
 * in text and in attributes alike.
 */
final class Html {
    private Html() {}

    /** {@code s} as HTML text or a quoted attribute value; "" for null. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c < 0x20 && c != '\t' ? '\uFFFD' : c);
            }
        }
        return sb.toString();
    }

    /** A number of seconds with three decimals, for times from the run's start. */
    static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e9);
    }
}
