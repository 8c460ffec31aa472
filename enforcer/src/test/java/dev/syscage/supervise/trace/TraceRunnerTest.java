package dev.syscage.supervise.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.nativeaccess.LinuxCLibrary;
import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import dev.syscage.run.Runner;
import dev.syscage.run.TraceRunner;
import dev.syscage.supervise.Decision;
import dev.syscage.testing.PtraceAttach;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The ptrace supervisor on real programs: events arrive, decisions are applied. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TraceRunnerTest {
    @BeforeAll
    static void ptraceWorksHere() {
        PtraceAttach.assumeTraceModeWorks();
    }

    static Path launcher() {
        return Path.of(System.getProperty("syscage.native.dir", "../native/build"), "syscage-launch");
    }

    static byte[] compile(String yaml) {
        Policy p = PolicyLoader.loadString("trace.yaml", yaml, new LoadOptions(List.of(), List.of()));
        return PolicyCompiler.compile(p, CompileOptions.defaults()).program().toBytes();
    }

    @Test
    void tracedOpensAreDecidedByTheSupervisor() throws Exception {
        byte[] filter = compile("""
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: trace
                    syscalls: [openat]
                """);
        List<String> seen = new CopyOnWriteArrayList<>();
        TraceSupervisor sup = new TraceSupervisor((event, memory) -> {
            String path = memory.readString(event.arg(1), 4096).orElse("?");
            seen.add(path);
            return path.equals("/etc/hostname") ? Decision.errno(13, "test") : Decision.allow("test");
        });
        StringWriter err = new StringWriter();
        LinuxCLibrary libc = LinuxCLibrary.instance();
        TraceRunner.Outcome o = new TraceRunner(libc, new Runner(libc, new PrintWriter(err)))
                .run(
                        launcher(),
                        filter,
                        List.of(),
                        List.of("sh", "-c", "cat /etc/hostname; cat /etc/os-release > /dev/null"),
                        sup,
                        null);
        assertEquals(0, o.exitCode());
        assertTrue(seen.contains("/etc/hostname"), seen.toString());
        assertTrue(seen.contains("/etc/os-release"), seen.toString());
        assertTrue(o.events() >= seen.size());
    }
}
