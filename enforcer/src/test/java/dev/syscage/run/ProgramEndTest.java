package dev.syscage.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.syscage.testing.PtraceAttach;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every fatal signal is named when syscage reports the program's end, the same way in every
 * kind of run (plain, contained or not, notify, trace); the exit status stays 128+N.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProgramEndTest {
    @TempDir
    Path dir;

    @Test
    void namesEveryFatalSignalAndNoOther() {
        assertEquals(
                Optional.of("syscage: ls was killed by SIGSEGV (exit status 139)"), ProgramEnd.line("ls", 139, ""));
        assertEquals(
                Optional.of("syscage: ls was killed by SIGSYS: the policy kills syscall x"),
                ProgramEnd.line("ls", 159, "the policy kills syscall x"));
        assertEquals("SIGRTMIN+2", ProgramEnd.signalName(36));
        assertEquals(OptionalInt.of(64), ProgramEnd.fatalSignal(128 + 64));
        for (int status : new int[] {
            0, 1, 2, 125, 126, 127, 128, 128 + 17, 128 + 18, 128 + 19, 128 + 20, 128 + 21, 128 + 22, 128 + 23, 128 + 28,
            128 + 32, 128 + 33, 128 + 65, 255
        }) {
            assertEquals(Optional.empty(), ProgramEnd.line("p", status, ""), "status " + status);
        }
        for (int sig :
                new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 24, 25, 26, 27, 29, 30, 31, 34, 50}) {
            assertTrue(ProgramEnd.line("p", 128 + sig, "").isPresent(), "signal " + sig);
        }
    }

    private RunTest.Result killedBy(String signal, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(List.of(options));
        args.addAll(List.of("--", "sh", "-c", "kill -" + signal + " $$"));
        return RunTest.syscage(dir, args.toArray(String[]::new));
    }

    @Test
    void aPlainRunNamesTheSignal() throws Exception {
        RunTest.Result r = killedBy("SEGV", "--profile", "default");
        assertEquals(139, r.code(), r.err());
        assertEquals(
                "syscage: sh was killed by SIGSEGV: to see the calls the policy denies, run it with --complain"
                        + " --log FILE\n",
                r.err());
        RunTest.Result abrt = killedBy("ABRT", "--profile", "default", "--no-contain");
        assertEquals(134, abrt.code(), abrt.err());
        assertEquals(
                "syscage: sh was killed by SIGABRT: to see the calls the policy denies, run it with --complain"
                        + " --log FILE\n",
                abrt.err());
    }

    @Test
    void aNormalExitSaysNothing() throws Exception {
        RunTest.Result r = RunTest.syscage(dir, "run", "--profile", "default", "--", "sh", "-c", "exit 3");
        assertEquals(3, r.code(), r.err());
        assertEquals("", r.err());
    }

    @Test
    void supervisedRunsNameItTheSameWay() throws Exception {
        Path p = dir.resolve("traced.yaml");
        Files.writeString(p, """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: trace
                    syscalls: [openat]
                supervise:
                  default: allow
                """);
        PtraceAttach.assumeTraceModeWorks();
        RunTest.Result trace = killedBy("SEGV", "--policy", p.toString(), "--mode", "trace", "-q");
        assertEquals(139, trace.code(), trace.err());
        assertTrue(
                trace.err()
                        .endsWith(
                                "syscage: sh was killed by SIGSEGV: the supervisor denied none of its calls (the filter's denials"
                                        + " it does not see: --complain --log FILE records them)\n"),
                trace.err());
        assumeTrue(NotifySupport.ofThisKernel().available(), "this kernel has no seccomp user notification");
        RunTest.Result notify = killedBy("BUS", "--policy", p.toString(), "--mode", "notify", "-q");
        assertEquals(135, notify.code(), notify.err());
        assertTrue(
                notify.err()
                        .endsWith(
                                "syscage: sh was killed by SIGBUS: the supervisor denied none of its calls (the filter's denials"
                                        + " it does not see: --complain --log FILE records them)\n"),
                notify.err());
        assertFalse(notify.err().contains("Exception"), notify.err());
    }
}
