package dev.syscage.supervise.audit;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * ISO-8601 UTC timestamps with all nine fraction digits ({@code 2024-05-01T12:34:56.000000013Z}),
 * fixed-width so that logs sort as text. The date-and-time part is formatted once per second;
 * not thread-safe (one per writer thread).
 */
final class Timestamps {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss", Locale.ROOT);

    private long cachedSecond = Long.MIN_VALUE;
    private String cachedPrefix = "";
    private final char[] fraction = new char[9];

    /** Appends the timestamp of {@code epochNanos} (nanoseconds since 1970-01-01T00:00Z). */
    StringBuilder append(StringBuilder sb, long epochNanos) {
        long second = Math.floorDiv(epochNanos, 1_000_000_000L);
        int nanos = (int) Math.floorMod(epochNanos, 1_000_000_000L);
        if (second != cachedSecond) {
            cachedPrefix = SECONDS.format(LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC));
            cachedSecond = second;
        }
        for (int i = 8; i >= 0; i--) {
            fraction[i] = (char) ('0' + nanos % 10);
            nanos /= 10;
        }
        return sb.append(cachedPrefix).append('.').append(fraction).append('Z');
    }

    String format(long epochNanos) {
        return append(new StringBuilder(30), epochNanos).toString();
    }
}
