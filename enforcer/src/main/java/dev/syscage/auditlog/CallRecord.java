package dev.syscage.auditlog;

import java.util.List;
import java.util.Locale;

/**
 * One call record of an audit log ({@code record: call} of docs/audit-record.schema.json), typed:
 * every field of the schema, with {@code ppid} and {@code uid} -1 and strings, {@code errno} and
 * {@code result} null where the log says null.
 *
 * @param line the record's line in the log, from 1
 * @param epochNanos {@code ts} as nanoseconds since 1970-01-01T00:00Z
 * @param decision allow, errno, kill or interrupted
 * @param would in complain mode, the denial the policy would have made of a call that ran; else null
 * @param source trace, notify or landlock
 */
public record CallRecord(
        long line,
        long seq,
        String ts,
        long epochNanos,
        int pid,
        int tid,
        int ppid,
        int uid,
        String comm,
        String exe,
        String arch,
        String syscall,
        int nr,
        List<Arg> args,
        String path,
        String resolvedPath,
        String resolvedPath2,
        String realPath,
        String decision,
        Integer errno,
        String errnoName,
        String rule,
        Would would,
        Long result,
        String hook,
        long latencyNanos,
        String source) {
    public CallRecord {
        args = List.copyOf(args);
    }

    /** One argument: its name, how it was decoded, the raw 64-bit register, and the text strace would show. */
    public record Arg(String name, String kind, long value, String text) {}

    /** What enforcing would have done with a call complain mode let run (the record's {@code would}). */
    public record Would(String decision, Integer errno, String errnoName, String rule, String by) {
        /** EACCES, KILL, TRAP. */
        public String outcome() {
            return decision.equals("errno") && errnoName != null ? errnoName : decision.toUpperCase(Locale.ROOT);
        }
    }

    /** The call as strace shows it, from its arguments' text: {@code openat(AT_FDCWD, "/etc/x", O_RDONLY)}. */
    public String callText() {
        StringBuilder text = new StringBuilder(syscall).append('(');
        for (int i = 0; i < args.size(); i++) {
            text.append(i == 0 ? "" : ", ").append(args.get(i).text());
        }
        return text.append(')').toString();
    }

    /** The raw registers, in order, zero past the call's arguments. */
    public long[] registers() {
        long[] regs = new long[6];
        for (int i = 0; i < Math.min(6, args.size()); i++) {
            regs[i] = args.get(i).value();
        }
        return regs;
    }

    /** A call complain mode let run that the policy would have denied. */
    public boolean complained() {
        return would != null;
    }

    /** A Landlock denial: the kernel decided it, the supervisor never saw it ({@code seq} 0). */
    public boolean landlock() {
        return "landlock".equals(source);
    }

    /** Not allowed: failed with an errno, or killed. */
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
