package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** syscage-launch's --notify-handshake option: the combinations it refuses, before anything runs. */
class NotifyLauncherOptionsTest {
    @TempDir
    Path dir;

    private record Out(int code, String text) {}

    private Out launch(String... args) throws IOException, InterruptedException {
        Path launcher = Path.of(System.getProperty("syscage.native.dir", "../native/build"), "syscage-launch");
        Path filter = dir.resolve("f.bpf");
        Files.write(filter, new byte[] {6, 0, 0, 0, 0, 0, (byte) 0xff, 0x7f}); // ret ALLOW
        List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "--filter", filter.toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--", "touch", dir.resolve("ran").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        return new Out(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void aHandshakeNeedsTwoPaths() throws Exception {
        Out o = launch("--notify-handshake", "/proc/self/fd/9");
        assertEquals(125, o.code(), o.text());
        assertTrue(
                o.text()
                        .startsWith(
                                "syscage-launch: --notify-handshake: expected REPORT_PATH,GO_PATH, got '/proc/self/fd/9'"),
                o.text());
        assertFalse(Files.exists(dir.resolve("ran")));
    }

    @Test
    void tsyncAndAListenerExcludeEachOther() throws Exception {
        Out o = launch("--notify-handshake", "a,b", "--flags", "tsync");
        assertEquals(125, o.code(), o.text());
        assertTrue(o.text().contains("--flags tsync cannot be combined with --notify-handshake"), o.text());
        assertFalse(Files.exists(dir.resolve("ran")));
    }

    @Test
    void traceAndNotifyExcludeEachOther() throws Exception {
        Out o = launch("--notify-handshake", "a,b", "--trace-handshake", "c,d", "--tracer", "1");
        assertEquals(125, o.code(), o.text());
        assertTrue(o.text().contains("--trace-handshake and --notify-handshake exclude each other"), o.text());
    }

    @Test
    void aMissingPipeFailsBeforeTheProgramRuns() throws Exception {
        Out o = launch("--notify-handshake", dir.resolve("no-report") + "," + dir.resolve("no-go"));
        assertEquals(125, o.code(), o.text());
        assertTrue(
                o.text()
                        .startsWith(
                                "syscage-launch: open(" + dir.resolve("no-report") + "): No such file or directory"),
                o.text());
        assertFalse(Files.exists(dir.resolve("ran")));
    }
}
