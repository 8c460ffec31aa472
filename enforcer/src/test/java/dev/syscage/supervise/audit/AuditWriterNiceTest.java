package dev.syscage.supervise.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.testing.Await;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The audit writer gives way to the supervisor thread: it runs at a higher nice value. */
class AuditWriterNiceTest {
    /**
     * The nice value of this JVM's thread named {@code name} (field 19 of /proc/self/task/TID/stat),
     * or {@link Integer#MIN_VALUE} while there is no such thread (yet).
     */
    private static int niceOf(String name) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    if (Files.readString(t.resolve("comm")).strip().equals(name)) {
                        String stat = Files.readString(t.resolve("stat"));
                        List<String> f = List.of(
                                stat.substring(stat.lastIndexOf(')') + 2).split(" "));
                        return Integer.parseInt(f.get(16)); // fields from the state (3rd) on: nice is the 19th
                    }
                } catch (IOException e) {
                    // that thread ended while we looked: not the one we want
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Integer.MIN_VALUE;
    }

    @Test
    void theWriterThreadRunsAtTheWriterNice() throws Exception {
        AuditLog log = AuditLog.to(new StringWriter(), "test", AuditFormat.JSONL, LogLevel.ALL, 16, e -> {});
        try {
            int[] nice = {Integer.MIN_VALUE};
            // the writer sets it when it starts; comm keeps 15 characters of the thread's name
            Await.within(Duration.ofSeconds(10), () -> (nice[0] = niceOf("syscage-audit-w")) == AuditLog.WRITER_NICE);
            assertEquals(AuditLog.WRITER_NICE, nice[0], "the writer thread's nice (MIN_VALUE: no such thread)");
        } finally {
            log.close();
        }
    }
}
