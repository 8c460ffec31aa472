package dev.syscage.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.nativeaccess.LinuxCLibrary;
import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.trace.TraceSupervisor;
import dev.syscage.testing.Await;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trace mode's program is forked as notify mode's and --contain's are (native/launcher watch_fork):
 * it dies with its launcher, so a program that kills its launcher leaves nothing behind.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TraceLauncherDeathTest {
    @TempDir
    Path dir;

    @Test
    void theTracedProgramDiesWithItsLauncher() throws Exception {
        Policy p = PolicyLoader.loadString(
                "t.yaml",
                "version: 1\ndefault: allow\nrules:\n  - action: trace\n" + "    syscalls: [uname]\n",
                new LoadOptions(List.of(), List.of()));
        byte[] filter =
                PolicyCompiler.compile(p, CompileOptions.defaults()).program().toBytes();
        Path pidFile = dir.resolve("pid");
        LinuxCLibrary libc = LinuxCLibrary.instance();
        TraceSupervisor sup = new TraceSupervisor((event, memory) -> Decision.allow("test"));
        long program = -1;
        try {
            TraceRunner.Outcome o = new TraceRunner(libc, new Runner(libc, new PrintWriter(new StringWriter())))
                    .run(
                            LauncherLocator.find().orElseThrow(),
                            filter,
                            List.of(),
                            List.of("sh", "-c", "echo $$ > " + pidFile + "; kill -9 $PPID; exec sleep 20"),
                            sup,
                            null);
            program = Long.parseLong(Files.readString(pidFile).strip());
            assertEquals(128 + 9, o.exitCode(), "the launcher was killed");
            assertTrue(gone(program, Duration.ofSeconds(5)), "the program outlived its launcher: pid " + program);
        } finally {
            if (program < 0 && Files.exists(pidFile)) {
                program = Long.parseLong(Files.readString(pidFile).strip());
            }
            if (program > 0) {
                ProcessHandle.of(program).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** Whether the process is gone (or a zombie) within the timeout. */
    private static boolean gone(long pid, Duration timeout) throws InterruptedException {
        Path stat = Path.of("/proc/" + pid + "/stat");
        return Await.within(timeout, () -> {
            try {
                String s = Files.readString(stat);
                return s.substring(s.lastIndexOf(')') + 2).startsWith("Z");
            } catch (java.nio.file.NoSuchFileException e) {
                return true;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
