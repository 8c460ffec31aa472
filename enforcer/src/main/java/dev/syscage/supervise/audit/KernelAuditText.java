package dev.syscage.supervise.audit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One record of the kernel's audit as its netlink message carries it, split into its stamp and
 * its fields:
 * <pre>
 * record  = "audit(" seconds "." millis ":" serial "): " field { " " field }
 * field   = key "=" value
 * value   = '"' text '"'        an untrusted string without space, quote or control byte
 *         | HEX                 an untrusted string with any of those, hex-encoded (upper case)
 *         | word                a number, a hex number (arch=c000003e), (null), (none), ...
 * </pre>
 * Untrusted strings ({@code audit_log_untrustedstring}) are the kernel's way to write what a
 * process controls: a path, a comm. Those fields ({@link #UNTRUSTED}) are given back decoded;
 * the others as written. No quoted value holds a space, so fields split at spaces.
 *
 * @param epochMillis the record's time, milliseconds since the epoch
 * @param serial      the event's serial: the records of one event share it
 * @param fields      in the order written; a key written twice keeps its first value
 */
public record KernelAuditText(long epochMillis, long serial, Map<String, String> fields) {
    /** Fields written with audit_log_untrustedstring by Landlock, lsm_audit and the SYSCALL record. */
    static final java.util.Set<String> UNTRUSTED =
            java.util.Set.of("path", "name", "exe", "comm", "ocomm", "dev", "proctitle");

    public KernelAuditText {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** The field's value, if the record has it. */
    public Optional<String> field(String key) {
        return Optional.ofNullable(fields.get(key));
    }

    /** The record, or empty when it does not start with an {@code audit(SEC.MS:SERIAL): } stamp. */
    public static Optional<KernelAuditText> parse(String text) {
        if (!text.startsWith("audit(")) {
            return Optional.empty();
        }
        int dot = text.indexOf('.', 6);
        int colon = dot < 0 ? -1 : text.indexOf(':', dot);
        int close = colon < 0 ? -1 : text.indexOf(')', colon);
        if (close < 0) {
            return Optional.empty();
        }
        long seconds;
        long millis;
        long serial;
        try {
            seconds = Long.parseLong(text, 6, dot, 10);
            millis = Long.parseLong(text, dot + 1, colon, 10);
            serial = Long.parseLong(text, colon + 1, close, 10);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        Map<String, String> fields = new LinkedHashMap<>();
        int i = close + 1;
        if (i < text.length() && text.charAt(i) == ':') {
            i++;
        }
        while (i < text.length()) {
            while (i < text.length() && text.charAt(i) == ' ') {
                i++;
            }
            int end = text.indexOf(' ', i);
            if (end < 0) {
                end = text.length();
            }
            int eq = text.indexOf('=', i);
            if (eq > i && eq < end) {
                String key = text.substring(i, eq);
                fields.putIfAbsent(key, value(key, text.substring(eq + 1, end)));
            }
            i = end;
        }
        return Optional.of(new KernelAuditText(seconds * 1000 + millis, serial, fields));
    }

    private static String value(String key, String raw) {
        if (raw.length() >= 2 && raw.charAt(0) == '"' && raw.charAt(raw.length() - 1) == '"') {
            return raw.substring(1, raw.length() - 1);
        }
        if (UNTRUSTED.contains(key) && isHex(raw)) {
            byte[] bytes = new byte[raw.length() / 2];
            for (int b = 0; b < bytes.length; b++) {
                bytes[b] = (byte) Integer.parseInt(raw, 2 * b, 2 * b + 2, 16);
            }
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
        return raw;
    }

    private static boolean isHex(String s) {
        if (s.isEmpty() || s.length() % 2 != 0) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'F')) {
                return false;
            }
        }
        return true;
    }
}
