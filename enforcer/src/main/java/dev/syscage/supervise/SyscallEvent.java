package dev.syscage.supervise;

import dev.syscage.policy.arch.Arch;

/**
 * One syscall the kernel handed to the supervisor (a SECCOMP_RET_TRACE stop or a user
 * notification), as read from the target before anything is decided.
 *
 * @param seq        per-run sequence number, from 1
 * @param wallNanos  when it was received, nanoseconds since the epoch
 * @param pid        thread-group id of the calling process
 * @param tid        id of the calling thread
 * @param arch       the syscall's ABI
 * @param nr         syscall number in that ABI
 * @param args       the six raw argument registers
 * @param ip         instruction pointer of the call
 * @param source     how it arrived
 * @param data       the SECCOMP_RET_DATA of the filter's trace action (0 for notifications)
 */
public record SyscallEvent(
        long seq, long wallNanos, int pid, int tid, Arch arch, int nr, long[] args, long ip, Source source, int data) {

    /** How it arrived: ptrace, user notification, or (for the audit log only) a Landlock denial the kernel reported. */
    public enum Source {
        TRACE,
        NOTIFY,
        LANDLOCK
    }

    public SyscallEvent {
        args = args.clone();
    }

    /**
     * Now, in nanoseconds since the epoch, for {@code wallNanos}: the system clock to the
     * nanosecond where the JDK reads it so (Linux: {@code clock_gettime(CLOCK_REALTIME)}).
     */
    public static long wallNanosNow() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    public long arg(int i) {
        return args[i];
    }

    @Override
    public long[] args() {
        return args.clone();
    }
}
