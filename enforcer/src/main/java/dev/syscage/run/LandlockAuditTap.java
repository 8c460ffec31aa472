package dev.syscage.run;

import dev.syscage.nativeaccess.AuditNetlink;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.supervise.audit.AuditLog;
import dev.syscage.supervise.audit.LandlockDenial;
import dev.syscage.supervise.audit.LandlockDenials;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Brings the kernel's reports of Landlock denials into a run's audit log ({@code source:
 * landlock}). Where the kernel audit is on, Landlock (ABI 7, with the launcher's
 * {@code LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON}) writes a record for each access the program's
 * domain refuses; a thread reads every audit record from the netlink multicast group, puts each
 * event's records together ({@link LandlockDenials}) and logs the denials of the run's domains:
 * those made by the run's program process ({@link #watch}), which is the process that restricted
 * itself. Audit pids are the initial PID namespace's, which are syscage's own when it runs on the
 * host.
 *
 * <p>Started only when it can work ({@link #start}): the policy has a Landlock ruleset, the
 * kernel audit is on, and syscage may read it (CAP_AUDIT_READ); otherwise it is silent, and the
 * program sees its denials only as EACCES (docs/supervisor.md).
 */
public final class LandlockAuditTap implements AutoCloseable {
    /** How long {@link #close} waits for the run's last records (they pass through the kernel's audit thread). */
    static final long DRAIN_MILLIS = 1000;
    /** With none of the run's denials known, the reader stops once the socket has been quiet this long. */
    static final long QUIET_MILLIS = 100;

    private static final int POLL_MILLIS = 20;

    private final AuditNetlink.Records records;
    private final AuditLog log;
    private final Consumer<String> errors;
    private final LandlockDenials denials = new LandlockDenials();
    private final Set<Integer> programs = ConcurrentHashMap.newKeySet();
    /**
     * Denials read before the main thread said which process is the run's ({@link #watch}): a
     * short program can be denied and gone before its pid is known here. Kept (at most
     * {@value #MAX_UNCLAIMED}) and sorted once, when it is; the reader thread's only.
     */
    private final List<LandlockDenial> unclaimed = new java.util.ArrayList<>();

    private static final int MAX_UNCLAIMED = 10_000;
    /** The run's domains and how many of their denials were logged (the reader thread's only). */
    private final java.util.Map<String, Long> logged = new java.util.HashMap<>();

    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread reader;
    private volatile long stopAtNanos = Long.MAX_VALUE;
    private volatile boolean stopping;
    private volatile long stopAskedNanos;
    private long lastRecordNanos;
    private volatile long written;

    private LandlockAuditTap(AuditNetlink.Records records, AuditLog log, Consumer<String> errors) {
        this.records = records;
        this.log = log;
        this.errors = errors;
        this.reader = new Thread(this::read, "syscage-landlock-audit");
        reader.setDaemon(true);
    }

    /**
     * A running tap when the run has a log, the ruleset handles something, the kernel audit is
     * on and its records can be read; else empty, without a word (there is nothing to act on in
     * a normal run). Start it before the launcher.
     *
     * @param errors where a failure of the reader is said (once)
     */
    public static Optional<LandlockAuditTap> start(
            LandlockRuleset ruleset, AuditLog log, AuditNetlink audit, Consumer<String> errors) {
        if (log == null || ruleset.isEmpty()) {
            return Optional.empty();
        }
        AuditNetlink.Records records;
        try {
            if (audit.enabled() == 0) {
                return Optional.empty();
            }
            records = audit.readLog();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not root, no CONFIG_AUDIT, not the initial network namespace
        }
        LandlockAuditTap tap = new LandlockAuditTap(records, log, errors);
        tap.reader.start();
        return Optional.of(tap);
    }

    /** The run's program process (as the initial PID namespace numbers it): its domains' denials are the run's. */
    public void watch(int pid) {
        programs.add(pid);
    }

    /** Denials written to the log so far. */
    public long written() {
        return written;
    }

    private void read() {
        boolean overrunSaid = false;
        try {
            while (true) {
                if (stopping && drained(System.nanoTime())) {
                    break;
                }
                AuditNetlink.Record r;
                try {
                    r = records.next(POLL_MILLIS);
                } catch (AuditNetlink.Overrun e) {
                    if (!overrunSaid) {
                        errors.accept(
                                "landlock denials: " + e.getMessage() + "; some may be missing from the audit log");
                        overrunSaid = true;
                    }
                    continue;
                }
                long now = System.nanoTime();
                if (r != null) {
                    lastRecordNanos = now;
                }
                List<LandlockDenial> done = r == null ? denials.expire(now) : denials.accept(r.type(), r.text(), now);
                claimUnclaimed();
                done.forEach(this::logIfOurs);
            }
            claimUnclaimed();
            denials.flush().forEach(this::logIfOurs);
        } catch (IOException | RuntimeException e) {
            errors.accept("landlock denials: the audit reader stopped: " + e.getMessage()
                    + "; later denials are not in the audit log");
        } finally {
            records.close();
            stopped.countDown();
        }
    }

    /** Once the run's pid is known: the kept denials that are its, logged in the order they came. */
    private void claimUnclaimed() {
        if (unclaimed.isEmpty() || programs.isEmpty()) {
            return;
        }
        List<LandlockDenial> kept = List.copyOf(unclaimed);
        unclaimed.clear();
        kept.forEach(this::logIfOurs);
    }

    private void logIfOurs(LandlockDenial d) {
        if (programs.isEmpty()) { // whose it is cannot be told yet
            if (unclaimed.size() < MAX_UNCLAIMED) {
                unclaimed.add(d);
            }
            return;
        }
        claimUnclaimed();
        LandlockDenial.Domain domain = d.allocatedBy() != null
                ? d.allocatedBy()
                : denials.domain(d.domain()).orElse(null);
        if (domain == null || !programs.contains(domain.pid())) {
            return;
        }
        logged.merge(d.domain(), 1L, Long::sum);
        log.record(d.toAuditRecord());
        written++;
    }

    /**
     * After the run: whether its records are all in. Each of its domains the kernel has reported
     * ends with a {@code status=deallocated} record that counts its denials; with none reported
     * there is nothing to count on, and a socket quiet for {@value #QUIET_MILLIS} ms means the
     * kernel's audit queue (where the program's records were before it ended) is empty. The
     * deadline bounds both.
     */
    private boolean drained(long now) {
        if (now >= stopAtNanos) {
            return true;
        }
        if (denials.hasPending()) {
            return false;
        }
        if (logged.isEmpty()) {
            return now - Math.max(lastRecordNanos, stopAskedNanos) >= TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS);
        }
        for (var e : logged.entrySet()) {
            Optional<Long> count = denials.deallocated(e.getKey());
            if (count.isEmpty() || count.get() > e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Stops after the run: reads on until each of the run's domains has been deallocated (the
     * kernel's last word on it) with all its denials read (or, with none, until the socket is
     * quiet), or {@value #DRAIN_MILLIS} ms have passed; logs what is left, and closes the socket. Call before the audit log is closed.
     */
    @Override
    public void close() {
        stopAskedNanos = System.nanoTime();
        stopAtNanos = stopAskedNanos + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
        stopping = true;
        try {
            if (!stopped.await(DRAIN_MILLIS + 2 * POLL_MILLIS + 1000, TimeUnit.MILLISECONDS)) {
                reader.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
