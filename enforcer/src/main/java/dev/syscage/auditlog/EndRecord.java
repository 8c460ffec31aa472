package dev.syscage.auditlog;

import java.util.List;

/**
 * The run's closing record ({@code record: end}): what ran, how it ended, and the counts that
 * explain the gaps in {@code seq} ({@code calls = recorded + unrecorded}).
 */
public record EndRecord(
        String started,
        String ended,
        String policy,
        String mode,
        List<String> command,
        String logLevel,
        int exit,
        long calls,
        long recorded,
        long unrecorded,
        long landlock) {
    public EndRecord {
        command = List.copyOf(command);
    }
}
