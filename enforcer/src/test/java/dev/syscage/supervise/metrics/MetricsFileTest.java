package dev.syscage.supervise.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.Decision;
import dev.syscage.testing.Await;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --metrics FILE: periodic and final writes, never half a file, failures reported. */
class MetricsFileTest {
    @TempDir
    Path dir;

    private final List<String> errors = new CopyOnWriteArrayList<>();

    @Test
    void writesPeriodicallyAndAtCloseAndLeavesNoTemporaryFiles() throws Exception {
        Path file = dir.resolve("syscage.prom");
        AtomicInteger version = new AtomicInteger();
        MetricsFile m = new MetricsFile(
                        file, () -> "version " + version.incrementAndGet() + "\n", Duration.ofMillis(20), errors::add)
                .start();
        Await.until(Duration.ofSeconds(10), () -> version.get() >= 3, "three periodic writes");
        m.close();
        assertEquals("version " + version.get() + "\n", Files.readString(file), "the last write is at close");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
        assertEquals(List.of(), errors);
    }

    /** Reads while the file is replaced every millisecond, until it has seen 20 versions. */
    @Test
    void aReaderNeverSeesHalfAFile() throws Exception {
        Path file = dir.resolve("big.prom");
        String body = "x".repeat(1 << 20);
        AtomicInteger version = new AtomicInteger();
        MetricsFile m = new MetricsFile(
                        file, () -> version.incrementAndGet() + body + "END\n", Duration.ofMillis(1), errors::add)
                .start();
        Set<String> seen = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (seen.size() < 20) {
            assertTrue(System.nanoTime() - deadline < 0, "saw only " + seen.size() + " versions in 60 s");
            try {
                String s = Files.readString(file);
                assertTrue(s.endsWith(body + "END\n"), "a whole file, " + s.length() + " chars");
                seen.add(s.substring(0, s.length() - body.length() - 4));
            } catch (NoSuchFileException beforeTheFirstWrite) {
                // the first rename has not happened yet
            }
        }
        m.close();
        assertEquals(List.of(), errors);
    }

    @Test
    void writesThePrometheusScrape() throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SupervisorMetrics metrics = new SupervisorMetrics(() -> 3);
        metrics.bindTo(registry);
        metrics.record(Arch.X86_64, 257, Decision.allow("r:1"), 2_000);
        Path file = dir.resolve("m.prom");
        MetricsFile.prometheus(file, registry, Duration.ofHours(1), errors::add).close();
        String text = Files.readString(file);
        assertTrue(text.contains("\nsyscage_syscalls_total{decision=\"allow\",syscall=\"openat\"} 1.0\n"), text);
        assertTrue(text.contains("\nsyscage_audit_records_total 3.0\n"), text);
    }

    /**
     * The target is a directory: every write fails after asking for the text, so the attempts can
     * be counted. Five of them have failed (or are failing) when it is closed.
     */
    @Test
    void aFailingPeriodicWriteIsReportedOnceAndTheLastOneThrows() throws Exception {
        Path file = Files.createDirectory(dir.resolve("m.prom"));
        AtomicInteger attempts = new AtomicInteger();
        MetricsFile m = new MetricsFile(
                        file,
                        () -> {
                            attempts.incrementAndGet();
                            return "x\n";
                        },
                        Duration.ofMillis(5),
                        errors::add)
                .start();
        Await.until(Duration.ofSeconds(30), () -> attempts.get() >= 5, "five periodic writes tried");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, m::close);
        assertTrue(e.getMessage().startsWith("metrics file " + file + ": final write failed: "), e.getMessage());
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("metrics file " + file + ": write failed: "), errors.get(0));
        assertTrue(errors.get(0).endsWith("; retrying every 5 ms"), errors.get(0));
    }
}
