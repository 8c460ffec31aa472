package dev.syscage.auditlog;

import java.util.List;
import java.util.Optional;

/**
 * One run's audit log, read and checked: its id (null for a log with no record), its call
 * records in the log's order, and its closing record when the log has one (a log cut short by a
 * write failure, or by syscage being killed, has none).
 */
public record AuditRun(String source, String id, List<CallRecord> calls, Optional<EndRecord> end) {
    public AuditRun {
        calls = List.copyOf(calls);
    }

    /** The calls the supervisor decided (not the kernel's Landlock denials). */
    public List<CallRecord> supervised() {
        return calls.stream().filter(c -> !c.landlock()).toList();
    }

    /** The calls that were denied (errno or kill), Landlock's denials among them, in the log's order. */
    public List<CallRecord> denied() {
        return calls.stream().filter(CallRecord::denied).toList();
    }

    /** The calls complain mode let run that the policy would have denied, in the log's order. */
    public List<CallRecord> complained() {
        return calls.stream().filter(CallRecord::complained).toList();
    }

    /**
     * What the log says of its own completeness, in one sentence: how many calls the supervisor
     * numbered and how many have records, or that the closing record is missing.
     */
    public String coverage() {
        if (end.isEmpty()) {
            return "no closing record: the log ends before the run did (syscage was stopped, or the log could not be "
                    + "written to its end), or the run had no supervisor (Landlock's records only); "
                    + plural(supervised().size(), "call record");
        }
        EndRecord e = end.get();
        String gaps = e.unrecorded() == 0
                ? "every one recorded (seq has no gaps)"
                : e.recorded() + " recorded, " + e.unrecorded() + " not recorded by log level " + e.logLevel()
                        + " (the gaps in seq)";
        return plural(e.calls(), "call") + " numbered by the supervisor: " + gaps
                + (e.landlock() == 0 ? "" : "; " + e.landlock() + " Landlock denials");
    }

    /** "1 call", "2 calls". */
    public static String plural(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
