package dev.syscage.supervise.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.policy.model.Supervision.LogLevel;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The audit writer gives way to the supervisor thread: it runs at a higher nice value. */
class AuditWriterNiceTest {
    /**
     * The nice value of this JVM's thread named {@code name} (field 19 of /proc/self/task/TID/stat),
     * or {@link Integer#MIN_VALUE} while there is no such thread (yet).
     */
    private static int niceOf(String name) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    if (Files.readString(t.resolve("comm")).strip().equals(name)) {
                        String stat = Files.readString(t.resolve("stat"));
                        List<String> f = List.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
                        return Integer.parseInt(f.get(16)); // fields from the state (3rd) on: nice is the 19th
                    }
                } catch (IOException e) {
                    // that thread ended while we looked: not the one we want
                }
            }
        }
        return Integer.MIN_VALUE;
    }

    @Test
    void theWriterThreadRunsAtTheWriterNice() throws Exception {
        AuditLog log = AuditLog.to(new StringWriter(), "test", AuditFormat.JSONL, LogLevel.ALL, 16, e -> { });
        try {
            int nice = Integer.MIN_VALUE;
            for (int i = 0; i < 400 && nice != AuditLog.WRITER_NICE; i++) { // the writer sets it when it starts
                nice = niceOf("syscage-audit-w"); // comm keeps 15 characters
                Thread.sleep(5);
            }
            assertEquals(AuditLog.WRITER_NICE, nice, "the writer thread's nice (MIN_VALUE: no such thread)");
        } finally {
            log.close();
        }
    }
}
