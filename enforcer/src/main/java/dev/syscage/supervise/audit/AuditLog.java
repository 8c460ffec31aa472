package dev.syscage.supervise.audit;

import dev.syscage.nativeaccess.ThreadNice;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.SyscallContext;
import dev.syscage.supervise.SyscallEvent;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The supervisor's audit log, kept off the decision path. The supervisor thread calls
 * {@link #record}, which filters by level, copies what the line needs out of the stopped target
 * (decoding the call if nobody has yet: the target's memory may change once the decision is
 * sent) into an immutable {@link AuditRecord}, and queues it; one writer thread drains the
 * queue into a buffered file. The process's comm, exe, ppid and uid come from a cache that is
 * at most 100 ms old ({@link ProcessFactsCache}); the supervisor calls {@link #processChanged}
 * on exec and exit.
 *
 * <p><b>Cheap to call.</b> The queue is lock-free and the writer is never woken by
 * {@code record}: it polls, sleeping from 50 µs up to 10 ms while the queue stays empty. (A
 * blocking queue's wake-up costs the supervisor thread a futex call per event, about 5 µs
 * measured here, a third of a whole traced syscall.) The file is flushed each time the queue
 * runs empty, so {@code tail -f} lags by at most about 10 ms. The writer runs at a lower
 * priority (nice {@value #WRITER_NICE}) than the supervisor thread, which the program waits for.
 *
 * <p><b>No record is ever dropped.</b> The queue holds about {@value #DEFAULT_CAPACITY} records
 * by default (more by at most one per concurrent caller): when the writer falls that far
 * behind, {@code record} waits for room, which holds the traced program at its syscall —
 * back-pressure instead of loss, and instead of memory that grows without limit. Only a write
 * error loses records (a full disk, {@code /dev/full}): the first error is reported at once,
 * the file is cut back to its last whole record ({@link RecordSink}), nothing more is written and
 * the rest are counted; {@link #failed} tells the supervisor (which may stop the program) and
 * {@link #failure} says afterwards exactly how many records are missing. {@link #close} drains
 * everything and flushes: when it returns, the log is complete or says what it lacks. Records
 * are written in the order they were queued.
 */
public final class AuditLog implements AutoCloseable {
    public static final int DEFAULT_CAPACITY = 1 << 16;
    private static final long MIN_IDLE_PARK_NANOS = 50_000;
    /**
     * The writer's nice value: it only has to keep up on average, while the supervisor thread
     * and the program it answers wait for each other. At nice 0 it took CPU from them often
     * enough to cost about 1.3 µs per notify-mode event on a 2-CPU machine (bench/run-notify-bench).
     */
    static final int WRITER_NICE = 10;

    private static final long MAX_IDLE_PARK_NANOS = 10_000_000;
    /** The queue must have been empty about this long before buffered lines are flushed. */
    private static final long FLUSH_AFTER_IDLE_NANOS = 400_000;

    private static final long CLOSED = Long.MIN_VALUE;
    private static final AuditRecord END = new AuditRecord(
            -1,
            0,
            0,
            0,
            -1,
            -1,
            null,
            null,
            Arch.X86_64,
            "end",
            -1,
            List.of(),
            null,
            null,
            null,
            null,
            Decision.allow("end"),
            null,
            null,
            0,
            SyscallEvent.Source.TRACE);

    private final String description;
    /** This run's id, in every JSON record: records of one run can be told from another's. */
    private final String run = java.util.UUID.randomUUID().toString();

    private final LogLevel level;
    private final Queue<AuditEntry> queue = new ConcurrentLinkedQueue<>();
    /** When the log was opened (wall clock, epoch nanoseconds): the run's start in its closing record. */
    private final long startedNanos = dev.syscage.supervise.SyscallEvent.wallNanosNow();

    private final AtomicInteger pending = new AtomicInteger();
    private final int capacity;
    private final LongAdder waitedNanos = new LongAdder();
    /** Callers of {@link #record} waiting for room, and what they wait on. */
    private final AtomicInteger waiting = new AtomicInteger();

    private final Object room = new Object();
    private final RecordSink sink;
    private final RecordWriter out;
    private final Consumer<String> errors;
    private final Thread writerThread;
    /** Sign bit: closed; the rest: how many threads are inside {@link #enqueue}. */
    private final AtomicLong gate = new AtomicLong();

    private final LongAdder accepted = new LongAdder();
    private final ProcessFactsCache facts =
            new ProcessFactsCache(ProcessFactsCache.DEFAULT_MAX_AGE_NANOS, System::nanoTime);
    private volatile long written;
    /** Of {@link #written}: records of calls the supervisor numbered, and of Landlock denials. */
    private long writtenCalls;

    private long writtenLandlock;
    private volatile long lost;
    private volatile IOException failure;

    private AuditLog(
            String description,
            RecordSink sink,
            AuditFormat format,
            LogLevel level,
            int capacity,
            Consumer<String> errors) {
        this.description = description;
        this.level = Objects.requireNonNull(level, "level");
        if (capacity < 1) {
            throw new IllegalArgumentException("audit queue capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.sink = sink;
        this.out = format.open(sink, run);
        this.errors = Objects.requireNonNull(errors, "errors");
        this.writerThread = new Thread(this::drain, "syscage-audit-writer");
        writerThread.setDaemon(true);
        writerThread.start();
    }

    /**
     * A log writing to {@code file} (created or truncated), for {@code --log FILE}.
     *
     * @param errors where a write error is reported as soon as it happens
     */
    public static AuditLog open(Path file, AuditFormat format, LogLevel level, Consumer<String> errors)
            throws IOException {
        return open(file, format, level, DEFAULT_CAPACITY, errors);
    }

    /**
     * As above, with at most about {@code capacity} records queued: the most calls that are
     * answered before their record is written (the writer's lag, and so how late a write failure
     * can be noticed).
     */
    public static AuditLog open(Path file, AuditFormat format, LogLevel level, int capacity, Consumer<String> errors)
            throws IOException {
        return new AuditLog(file.toString(), RecordSink.file(file), format, level, capacity, errors);
    }

    /** A log writing to {@code sink}, which it closes; {@code description} names it in errors. */
    public static AuditLog to(
            Writer sink,
            String description,
            AuditFormat format,
            LogLevel level,
            int capacity,
            Consumer<String> errors) {
        return new AuditLog(description, RecordSink.writer(sink), format, level, capacity, errors);
    }

    /** The run's id, as every JSON record carries it. */
    public String run() {
        return run;
    }

    public LogLevel level() {
        return level;
    }

    /** Whether an event with this outcome would be logged: when not, nothing need be decoded for it. */
    public boolean keeps(Decision decision, String hook) {
        return keeps(level, decision, hook);
    }

    /**
     * Whether {@code level} logs an event with this outcome (the levels are the policy's
     * {@code supervise.log}). A decision counts as the default when no hook made it and its rule
     * is "default" (or absent).
     */
    static boolean keeps(LogLevel level, Decision decision, String hook) {
        boolean byDefault =
                hook == null && (decision.rule() == null || decision.rule().equals("default"));
        return level.records(byDefault, decision.denies()); // a complaint is kept as a denial
    }

    /**
     * Logs an event without naming the hook that decided it; see
     * {@link #record(SyscallContext, Decision, String, long)}.
     */
    public void record(SyscallContext call, Decision decision, long latencyNanos) {
        record(call, decision, null, latencyNanos);
    }

    /**
     * Logs an event if the level keeps it. Call on the supervisor thread before the decision is
     * sent; may wait while the queue is full (see the class comment).
     *
     * @param hook the hook that decided, or null when the fallback applied
     * @throws IllegalStateException after {@link #close}
     */
    public void record(SyscallContext call, Decision decision, String hook, long latencyNanos) {
        if (keeps(level, decision, hook)) {
            enqueue(AuditRecord.capture(call, facts.of(call), decision, hook, latencyNanos));
        }
    }

    /**
     * What /proc says of the call's process (cached; see {@link ProcessFactsCache}): taken before
     * the decision is sent, for a record written once the call's answer is final.
     */
    public ProcessFacts factsOf(SyscallContext call) {
        return facts.of(call);
    }

    /**
     * Logs a call whose answer is final, if the level keeps it: {@code facts} as taken before the
     * answer (null: read now), {@code realPath} and {@code result} as in {@link AuditRecord}.
     */
    public void record(
            SyscallContext call,
            ProcessFacts facts,
            Decision decision,
            String realPath,
            Long result,
            String hook,
            long latencyNanos) {
        if (keeps(level, decision, hook)) {
            enqueue(AuditRecord.capture(
                    call, facts != null ? facts : this.facts.of(call), decision, realPath, result, hook, latencyNanos));
        }
    }

    /** Logs an already captured record if the level keeps it. */
    public void record(AuditRecord r) {
        if (keeps(level, r.decision(), r.hook())) {
            enqueue(r);
        }
    }

    /**
     * Tells the log that process {@code pid} exec'd or exited, so its comm, exe, ppid and uid are
     * read again for its next record (see {@link ProcessFactsCache}).
     */
    public void processChanged(int pid) {
        facts.forget(pid);
    }

    /** Records queued so far. */
    public long accepted() {
        return accepted.sum();
    }

    /** How long {@link #record} calls have waited for room in the queue, in total. */
    public long backPressureNanos() {
        return waitedNanos.sum();
    }

    /** Records written to the sink so far (buffered output included). */
    public long written() {
        return written;
    }

    /**
     * Queues the run's closing record (JSON Lines only: the text format has no place for it),
     * after every record queued so far: the run's facts, its exit, and how many of the calls it
     * numbered the log recorded. Call once, after the last {@link #record}, before {@link #close}.
     */
    public void end(RunEnd end) {
        enqueue(end);
    }

    private void enqueue(AuditEntry r) {
        long s;
        do {
            s = gate.get();
            if (s < 0) {
                throw new IllegalStateException("audit log " + description + " is closed");
            }
        } while (!gate.compareAndSet(s, s + 1));
        try {
            put(r);
            accepted.increment();
        } finally {
            gate.decrementAndGet();
        }
    }

    /** Waits for room (back-pressure), then queues; the writer is never signalled, it polls. */
    private void put(AuditEntry r) {
        if (pending.get() >= capacity) {
            waitForRoom();
        }
        pending.incrementAndGet();
        queue.offer(r);
    }

    /**
     * Sleeps until the writer has brought the queue down to half its capacity. Only callers
     * that found the queue full come here; the writer wakes them when {@link #waiting} says
     * someone is, and the timed wait covers a wake-up that raced with going to sleep.
     */
    private void waitForRoom() {
        long waitedSince = System.nanoTime();
        boolean interrupted = false;
        waiting.incrementAndGet();
        try {
            synchronized (room) {
                while (pending.get() >= capacity) {
                    if (!writerThread.isAlive()) {
                        throw new IllegalStateException("audit log " + description + ": the writer thread has stopped");
                    }
                    try {
                        room.wait(1);
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
        } finally {
            waiting.decrementAndGet();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        waitedNanos.add(System.nanoTime() - waitedSince);
    }

    private void wakeProducersIfRoom() {
        if (waiting.get() > 0 && pending.get() <= capacity / 2) {
            synchronized (room) {
                room.notifyAll();
            }
        }
    }

    /**
     * The writer thread: writes what is queued; when the queue is empty, flushes and sleeps a
     * little longer each time (up to {@value #MAX_IDLE_PARK_NANOS} ns), until the end marker.
     */
    private void drain() {
        ThreadNice.setForCallingThread(WRITER_NICE);
        long idlePark = MIN_IDLE_PARK_NANOS;
        boolean dirty = false;
        while (true) {
            AuditEntry r = queue.poll();
            if (r == null) {
                wakeProducersIfRoom();
                // flush once the queue has stayed empty for a while, not after every record:
                // at thousands of events a second a write(2) per record costs the tracee time
                if (dirty && idlePark >= FLUSH_AFTER_IDLE_NANOS) {
                    sync();
                    dirty = false;
                }
                LockSupport.parkNanos(idlePark);
                idlePark = Math.min(MAX_IDLE_PARK_NANOS, idlePark * 2);
                continue;
            }
            if (r == END) {
                break;
            }
            write(r);
            pending.decrementAndGet();
            wakeProducersIfRoom();
            dirty = true;
            idlePark = MIN_IDLE_PARK_NANOS;
            while ((r = queue.peek()) != null && r != END) { // drain a burst without re-checking room each time
                queue.poll();
                write(r);
                pending.decrementAndGet();
            }
        }
        closeSink();
    }

    private void write(AuditEntry entry) {
        if (failure != null) {
            lost++;
            return;
        }
        try {
            if (entry instanceof AuditRecord r) {
                out.write(r);
            } else if (!out.writeEnd(closing((RunEnd) entry))) {
                return; // a format without a closing record
            }
            sink.endRecord();
            written++;
            if (entry instanceof AuditRecord r && r.seq() > 0) {
                writtenCalls++;
            } else if (entry instanceof AuditRecord) {
                writtenLandlock++;
            }
        } catch (IOException | RuntimeException e) {
            sink.dropRecord();
            lost++;
            failed(e);
        }
    }

    /** The closing record with this log's counts: every record before it has been written. */
    private RunEnd.Written closing(RunEnd end) {
        return new RunEnd.Written(
                end,
                run,
                startedNanos,
                dev.syscage.supervise.SyscallEvent.wallNanosNow(),
                level.word(),
                writtenCalls,
                Math.max(0, end.calls() - writtenCalls),
                writtenLandlock);
    }

    /** Writes the records the sink holds; a failure loses those it could not write. */
    private void sync() {
        if (failure != null) {
            return;
        }
        try {
            out.flush();
            sink.sync();
        } catch (IOException | RuntimeException e) {
            failed(e);
        }
    }

    /**
     * The first failure: kept, reported at once, and the records the sink had taken but could not
     * write move from written to lost. Nothing is written after it (records are counted), so the
     * log holds whole records only, the ones before the failure.
     */
    private void failed(Exception e) {
        long cut = e instanceof RecordSink.Failure f ? f.lost() : 0;
        written -= cut;
        lost += cut;
        failure = e instanceof IOException io ? io : new IOException(e.toString(), e);
        errors.accept(
                "audit log " + description + ": write failed after " + written + " records: " + failure.getMessage());
    }

    private void closeSink() {
        sync();
        try {
            out.close();
        } catch (IOException | RuntimeException e) {
            if (failure == null) {
                failed(e);
            }
        }
    }

    /** Whether a write has failed: from then on records are counted, not written. */
    public boolean failed() {
        return failure != null;
    }

    /**
     * After {@link #close}: why the log could not be written and how many records it lacks,
     * "write failed after N records (REASON); M records were not written"; empty when it is complete.
     */
    public java.util.Optional<String> failure() {
        IOException f = failure;
        return f == null
                ? java.util.Optional.empty()
                : java.util.Optional.of("write failed after " + written + " records (" + f.getMessage() + "); " + lost
                        + " records were not written");
    }

    /** Records that were not written, because of a write error. */
    public long lost() {
        return lost;
    }

    /**
     * Drains every queued record, flushes and closes the sink; the log is complete when this
     * returns. Waits for {@link #record} calls still in progress on other threads. A write
     * failure does not throw: {@link #failure} says what it cost.
     */
    @Override
    public void close() {
        long s = gate.getAndUpdate(v -> v | CLOSED);
        if (s >= 0) {
            while ((gate.get() & ~CLOSED) != 0) {
                Thread.onSpinWait();
            }
            queue.offer(END);
            LockSupport.unpark(writerThread);
        }
        joinUninterruptibly();
    }

    private void joinUninterruptibly() {
        boolean interrupted = false;
        while (writerThread.isAlive()) {
            try {
                writerThread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
