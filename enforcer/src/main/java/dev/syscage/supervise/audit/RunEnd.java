package dev.syscage.supervise.audit;

import java.util.List;
import java.util.Objects;

/**
 * What the command that ran the program says of the run when it ends, for the log's closing
 * record ({@link AuditLog#end}): the policy, the supervision mode, the command, its exit status,
 * and how many calls the supervisor numbered ({@code seq} 1 to {@code calls}). The log adds what
 * it knows itself: the run's id, when it started and ended, its level, and how many of those
 * calls it recorded, so that a reader can tell every gap in {@code seq} from a lost record.
 *
 * @param policy the policy's name and where it came from (a file, or a shipped profile)
 * @param mode how calls reached the supervisor: trace or notify
 * @param exit syscage run's exit status: the program's, 128+N after signal N
 */
public record RunEnd(String policy, String mode, List<String> command, int exit, long calls) implements AuditEntry {
    public RunEnd {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(mode, "mode");
        command = List.copyOf(command);
        if (calls < 0) {
            throw new IllegalArgumentException("calls must not be negative: " + calls);
        }
    }

    /**
     * The closing record as written: this, with the log's own counts. {@code recorded} call
     * records were written, {@code unrecorded} of the numbered calls were not kept by the level
     * (or were answered by the native loop, which only answers those), {@code landlock} records
     * are the kernel's Landlock denials.
     */
    public record Written(
            RunEnd end,
            String run,
            long startedNanos,
            long endedNanos,
            String level,
            long recorded,
            long unrecorded,
            long landlock) {}
}
