package dev.syscage.report;

/**
 * One call record of an audit log, as a report needs it (docs/audit-record.schema.json,
 * {@code record: call}). {@code ppid} is -1 and strings are null where the log says null.
 *
 * @param line the record's line in the log, from 1
 * @param epochNanos {@code ts} as nanoseconds since 1970-01-01T00:00Z
 * @param callText the call as strace shows it, from its arguments' text
 * @param decision allow, errno, kill or interrupted
 * @param would in complain mode, the denial the policy would have made of a call that ran; else null
 */
public record CallRecord(long line, long seq, String ts, long epochNanos, int pid, int tid, int ppid, String comm,
        String exe, String syscall, String callText, String path, String resolvedPath, String resolvedPath2,
        String realPath, String decision, String errnoName, String rule, Long result, long latencyNanos,
        String source, Would would) {

    /** What enforcing would have done with a call complain mode let run (the record's {@code would}). */
    public record Would(String decision, String errnoName, String rule) {
        /** EACCES, KILL, TRAP. */
        public String outcome() {
            return decision.equals("errno") && errnoName != null ? errnoName : decision.toUpperCase(java.util.Locale.ROOT);
        }
    }

    /** A call complain mode let run that the policy would have denied. */
    public boolean complained() {
        return would != null;
    }

    /** A Landlock denial: the kernel decided it, the supervisor never saw it ({@code seq} 0). */
    public boolean landlock() {
        return "landlock".equals(source);
    }

    /** Not allowed: failed with an errno, killed, or went away before its answer (interrupted). */
    public boolean denied() {
        return decision.equals("errno") || decision.equals("kill");
    }

    /** The outcome in a word or two: ALLOW, EACCES, KILL, INTERRUPTED. */
    public String outcome() {
        return switch (decision) {
            case "errno" -> errnoName != null ? errnoName : "errno";
            case "kill" -> "KILL";
            case "interrupted" -> "INTERRUPTED";
            default -> "ALLOW";
        };
    }
}
