package dev.syscage.supervise.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code --metrics FILE}: Prometheus text written every period and once more at exit. Each write
 * goes to a temporary file in the same directory, then is renamed over FILE, so a reader (a
 * node_exporter textfile collector, {@code cat}) never sees half a file. A failed periodic write
 * is reported once and retried at the next period; the final write's failure is thrown.
 */
public final class MetricsFile implements AutoCloseable {
    /** rw-r--r--, as a metrics file readable by a collector running as another user (the umask applies). */
    private static final FileAttribute<Set<PosixFilePermission>> READABLE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"));

    private final Path file;
    private final Supplier<String> text;
    private final Duration period;
    private final Consumer<String> errors;
    private ScheduledExecutorService scheduler;
    private boolean failureReported;
    private boolean closed;

    /**
     * @param text   the whole file's content, made at each write
     * @param errors where a failed periodic write is reported
     */
    public MetricsFile(Path file, Supplier<String> text, Duration period, Consumer<String> errors) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("metrics period must be positive: " + period);
        }
        this.file = file.toAbsolutePath();
        this.text = Objects.requireNonNull(text, "text");
        this.period = period;
        this.errors = Objects.requireNonNull(errors, "errors");
    }

    /** The registry's scrape in the Prometheus text format. */
    public static MetricsFile prometheus(
            Path file, PrometheusMeterRegistry registry, Duration period, Consumer<String> errors) {
        return new MetricsFile(file, registry::scrape, period, errors);
    }

    /** Writes now and then every period, on a daemon thread. */
    public synchronized MetricsFile start() {
        if (scheduler != null || closed) {
            throw new IllegalStateException("metrics file " + file + " already started or closed");
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "syscage-metrics-file");
            t.setDaemon(true);
            return t;
        });
        long ms = period.toMillis();
        scheduler.scheduleAtFixedRate(this::periodicWrite, 0, Math.max(1, ms), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Writes the file now: temp file, then an atomic rename over it; a file that is there and is
     * no regular file ({@code /dev/null}, a FIFO) is written to instead, not replaced.
     */
    public synchronized void write() throws IOException {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            Files.writeString(file, text.get(), StandardCharsets.UTF_8);
            return;
        }
        Path dir = file.getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp", READABLE);
        try {
            Files.writeString(tmp, text.get(), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename " + tmp + " over " + file + " atomically: " + e.getMessage(), e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private synchronized void periodicWrite() {
        if (closed) {
            return;
        }
        try {
            write();
            failureReported = false;
        } catch (IOException | RuntimeException e) {
            if (!failureReported) {
                failureReported = true;
                errors.accept("metrics file " + file + ": write failed: " + e.getMessage() + "; retrying every "
                        + period.toMillis() + " ms");
            }
        }
    }

    /**
     * Stops the periodic writes and writes the file one last time.
     *
     * @throws UncheckedIOException when the last write fails
     */
    @Override
    public void close() {
        ScheduledExecutorService s;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            s = scheduler;
        }
        if (s != null) {
            s.shutdown();
            awaitQuietly(s);
        }
        try {
            write();
        } catch (IOException e) {
            throw new UncheckedIOException("metrics file " + file + ": final write failed: " + e.getMessage(), e);
        }
    }

    private static void awaitQuietly(ScheduledExecutorService s) {
        try {
            s.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
