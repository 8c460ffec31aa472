package dev.syscage.supervise.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.Decision;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
        MetricsFile m = new MetricsFile(file, () -> "version " + version.incrementAndGet() + "\n",
                Duration.ofMillis(20), errors::add).start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (version.get() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(version.get() >= 3, "three periodic writes within 10 s");
        m.close();
        assertEquals("version " + version.get() + "\n", Files.readString(file), "the last write is at close");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
        assertEquals(List.of(), errors);
    }

    @Test
    void aReaderNeverSeesHalfAFile() throws Exception {
        Path file = dir.resolve("big.prom");
        String body = "x".repeat(1 << 20);
        AtomicInteger version = new AtomicInteger();
        MetricsFile m = new MetricsFile(file, () -> version.incrementAndGet() + body + "END\n",
                Duration.ofMillis(1), errors::add).start();
        int reads = 0;
        long end = System.nanoTime() + 500_000_000L;
        while (System.nanoTime() < end) {
            try {
                String s = Files.readString(file);
                assertTrue(s.endsWith(body + "END\n"), "a whole file, " + s.length() + " chars");
                reads++;
            } catch (NoSuchFileException beforeTheFirstWrite) {
                // the first rename has not happened yet
            }
        }
        m.close();
        assertTrue(reads > 0);
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

    @Test
    void aFailingPeriodicWriteIsReportedOnceAndTheLastOneThrows() throws Exception {
        Path file = dir.resolve("missing-dir").resolve("m.prom");
        MetricsFile m = new MetricsFile(file, () -> "x\n", Duration.ofMillis(5), errors::add).start();
        Thread.sleep(100);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, m::close);
        assertTrue(e.getMessage().startsWith("metrics file " + file + ": final write failed: "), e.getMessage());
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("metrics file " + file + ": write failed: "), errors.get(0));
        assertTrue(errors.get(0).endsWith("; retrying every 5 ms"), errors.get(0));
    }
}
