package dev.syscage.supervise.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.auditlog.AuditLogReader;
import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.supervise.Decision;
import dev.syscage.testing.Await;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No record is lost: many producers, a burst closed at once, a writer slower than the producer.
 * (How fast is bench/run-audit-bench's question, not a test's.)
 */
class AuditLogLoadTest {
    private static final Decision DENY = Decision.errno(13, "web.yaml:12");
    private static final Decision ALLOW = Decision.allow("web.yaml:10");

    @TempDir
    Path dir;

    private final List<String> errors = new CopyOnWriteArrayList<>();

    @Test
    void aMillionRecordsFromEightThreadsAreAllThere() throws Exception {
        int threads = 8;
        int perThread = 125_000;
        Path file = dir.resolve("audit.jsonl");
        AuditLog log = AuditLog.open(file, AuditFormat.JSONL, LogLevel.ALL, errors::add);
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t * perThread + 1;
            Thread p = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    int seq = first + i;
                    log.record(
                            FakeCall.openat(seq, 1000 + seq % threads, 1000 + seq % threads),
                            seq % 3 == 0 ? DENY : ALLOW,
                            seq);
                }
            });
            producers.add(p);
            p.start();
        }
        for (Thread p : producers) {
            p.join();
        }
        log.close();
        int total = threads * perThread;

        BitSet seqs = new BitSet(total + 1);
        AuditLogReader.Summary read;
        try (java.io.BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            read = AuditLogReader.forEach(file.toString(), in, c -> {
                int seq = (int) c.seq();
                assertTrue(!seqs.get(seq), "seq " + seq + " twice");
                seqs.set(seq);
                assertEquals(seq, c.latencyNanos(), "the line of seq " + seq + " is its own");
                assertEquals(seq % 3 == 0 ? "errno" : "allow", c.decision());
            });
        }
        assertEquals(total, read.calls());
        assertEquals(total, seqs.cardinality());
        assertEquals(1, seqs.nextSetBit(0));
        assertEquals(total, log.written());
        assertEquals(List.of(), errors);
    }

    @Test
    void closeRightAfterABurstLosesNothing() throws IOException {
        int burst = 200_000;
        Path file = dir.resolve("burst.txt");
        AuditLog log = AuditLog.open(file, AuditFormat.TEXT, LogLevel.ALL, errors::add);
        for (int i = 1; i <= burst; i++) {
            log.record(FakeCall.openat(i, 7, 7), ALLOW, i);
        }
        log.close();
        List<String> lines = Files.readAllLines(file);
        assertEquals(burst, lines.size());
        assertTrue(lines.get(burst - 1).endsWith("<0.000200>"), lines.get(burst - 1));
    }

    /**
     * The writer is stuck in its sink until the test lets it go: the producer must stop once the
     * queue of 4 is full (the record in the writer's hand counts), not run on and drop records.
     */
    @Test
    void aSlowWriterHoldsTheProducerBackInsteadOfDropping() throws InterruptedException {
        GatedSink sink = new GatedSink();
        AuditLog log = AuditLog.to(sink, "slow", AuditFormat.TEXT, LogLevel.ALL, 4, errors::add);
        AtomicInteger produced = new AtomicInteger();
        Thread producer = new Thread(
                () -> {
                    for (int i = 1; i <= 200; i++) {
                        log.record(FakeCall.openat(i, 7, 7), ALLOW, i * 1000L);
                        produced.incrementAndGet();
                    }
                },
                "producer");
        producer.start();
        try {
            Await.until(
                    Duration.ofSeconds(30),
                    () -> produced.get() > 4 || produced.get() == 4 && waiting(producer),
                    () -> "the producer neither ran past the queue nor waited: " + produced.get() + " records, "
                            + producer.getState());
            assertEquals(4, produced.get(), "records taken while the writer is stuck: the queue's 4, no more");
            assertTrue(producer.isAlive());
        } finally {
            sink.gate.countDown();
        }
        producer.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(producer.isAlive(), "the producer did not finish once the writer went on");
        log.close();
        assertEquals(200, sink.lines);
        assertEquals(200, log.written());
        assertEquals(List.of(), errors);
    }

    /** Waiting for room in the queue (AuditLog waits on a monitor, with a timeout). */
    private static boolean waiting(Thread t) {
        Thread.State s = t.getState();
        return s == Thread.State.TIMED_WAITING || s == Thread.State.WAITING;
    }

    /** Takes lines only once {@link #gate} is open; until then the writer thread waits in it. */
    private static final class GatedSink extends Writer {
        final CountDownLatch gate = new CountDownLatch(1);
        volatile int lines;

        @Override
        public void write(char[] buf, int off, int len) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (int i = off; i < off + len; i++) {
                if (buf[i] == '\n') {
                    lines++;
                }
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }
}
