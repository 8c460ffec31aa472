package dev.syscage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every input a command names, when it cannot be read (missing, a directory, permission denied,
 * a FIFO nobody writes to), is answered the same way: {@code syscage: cannot read FILE: REASON},
 * exit status 2, and for the FIFO no thread left blocked in open().
 */
class UnreadableInputCliTest {
    /** Write-only even for root: /proc/sys checks the mode bits (proc_sys_permission). */
    private static final Path DENIED = Path.of("/proc/sys/vm/drop_caches");

    @TempDir
    Path dir;

    /** Each command with FILE in the place of the input it reads. */
    private List<Function<String, String[]>> commands() throws IOException {
        Path ok = dir.resolve("ok.yaml");
        Files.writeString(ok, StdioCliTest.WEB);
        String o = dir.resolve("out").toString();
        return List.of(
                f -> new String[] {"compile", f, "-o", o},
                f -> new String[] {"compile", ok.toString(), "--frequency", f, "-o", o},
                f -> new String[] {"check", f, "read"},
                f -> new String[] {"disasm", f},
                f -> new String[] {"disasm", "--bpf", f},
                f -> new String[] {"import", f},
                f -> new String[] {"export", f},
                f -> new String[] {"run", "--policy", f, "--", "true"},
                f -> new String[] {"learn", "-o", o, "--merge", f, "--", "true"});
    }

    private void allSay(String file, String reason) throws IOException {
        for (Function<String, String[]> c : commands()) {
            String[] args = c.apply(file);
            CliTest.Run r = CliTest.run(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertEquals("syscage: cannot read " + file + ": " + reason + "\n", r.err(), String.join(" ", args));
        }
    }

    @Test
    void missing() throws IOException {
        allSay(dir.resolve("nope").toString(), "no such file");
    }

    @Test
    void directory() throws IOException {
        allSay(dir.toString(), "is a directory");
    }

    @Test
    void permissionDenied() throws IOException {
        assertTrue(Files.exists(DENIED), DENIED + " is missing");
        allSay(DENIED.toString(), "permission denied");
    }

    @Test
    void fifoNobodyWritesToEndsAndLeavesNoThread() throws Exception {
        Path fifo = dir.resolve("policy.fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo failed");
        CliTest.Run r = assertTimeoutPreemptively(
                Duration.ofSeconds(6),
                () -> CliTest.run(
                        "compile", fifo.toString(), "-o", dir.resolve("out").toString()));
        assertEquals(2, r.code(), r.err());
        assertEquals(
                "syscage: cannot read " + fifo + ": not all there within 2 s: it is no regular file, and what"
                        + " writes it did not finish; a FIFO nobody writes to?\n",
                r.err());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (readerAlive() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(false, readerAlive(), "a reader thread is still blocked in open()");
    }

    private static boolean readerAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("syscage-read-policy.fifo"));
    }

    @Test
    void aFifoThatIsWrittenIsRead() throws Exception {
        Path fifo = dir.resolve("w.fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo failed");
        Path src = dir.resolve("src.yaml");
        Files.writeString(src, StdioCliTest.WEB);
        Process writer =
                new ProcessBuilder("sh", "-c", "cat \"$1\" > \"$2\"", "sh", src.toString(), fifo.toString()).start();
        try {
            CliTest.Run r = assertTimeoutPreemptively(
                    Duration.ofSeconds(6), () -> CliTest.run("check", fifo.toString(), "read"));
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().startsWith("read (nr 0) on x86_64: allow"), r.out());
        } finally {
            writer.destroyForcibly();
            writer.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
