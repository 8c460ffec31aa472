package dev.syscage.supervise.decode;

import java.nio.charset.StandardCharsets;

/**
 * How strace writes values: numbers in decimal, pointers and unnamed bits in hex, {@code NULL},
 * and strings in double quotes with C escapes ({@code \n}, {@code \"}, octal for other control
 * and non-ASCII bytes), cut after a maximum length with {@code ...} after the closing quote.
 */
final class Text {

    private Text() {}

    /** {@code 0x1f}, or {@code 0} for zero (C's {@code %#lx}). */
    static String hex(long v) {
        return v == 0 ? "0" : "0x" + Long.toHexString(v);
    }

    /** A user-space address: {@code NULL} or hex. */
    static String pointer(long v) {
        return v == 0 ? "NULL" : "0x" + Long.toHexString(v);
    }

    /** Octal with a leading 0, at least three digits: {@code 0644}, {@code 000}. */
    static String octal(long v) {
        String s = Long.toOctalString(v);
        return s.length() >= 3 ? "0" + s : "0".repeat(3 - s.length()) + s;
    }

    /** A string in quotes; when its UTF-8 form is longer than {@code max} bytes, cut and {@code ...}. */
    static String quote(String s, int max) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return quote(b, Math.min(b.length, max), b.length > max);
    }

    /** The first {@code length} bytes in quotes, {@code ...} after them when {@code cut}. */
    static String quote(byte[] b, int length, boolean cut) {
        StringBuilder sb = new StringBuilder(length + 8).append('"');
        for (int i = 0; i < length; i++) {
            int c = b[i] & 0xff;
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case 0x0b -> sb.append("\\v");
                case '\f' -> sb.append("\\f");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        sb.append((char) c);
                    } else {
                        octalEscape(sb, c, i + 1 < length && b[i + 1] >= '0' && b[i + 1] <= '7');
                    }
                }
            }
        }
        sb.append('"');
        return cut ? sb.append("...").toString() : sb.toString();
    }

    /** {@code \0}, {@code \33}, {@code \377}; three digits when an octal digit follows. */
    private static void octalEscape(StringBuilder sb, int c, boolean digitFollows) {
        String o = Integer.toOctalString(c);
        sb.append('\\');
        if (digitFollows) {
            sb.append("000", 0, 3 - o.length());
        }
        sb.append(o);
    }
}
