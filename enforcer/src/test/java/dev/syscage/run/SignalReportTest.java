package dev.syscage.run;

import static dev.syscage.run.RunTest.syscage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.run.RunTest.Result;
import dev.syscage.testing.PtraceAttach;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A program that dies of a signal under syscage: the signal is named, and the calls denied just before. */
class SignalReportTest {
    @TempDir
    Path dir;

    @Test
    void aCrashIsNamedAndWithoutASupervisorTheRunSaysHowToSeeTheDenials() throws Exception {
        Result r = syscage(dir, "run", "-q", "--profile", "default", "--", "sh", "-c", "kill -SEGV $$");
        assertEquals(139, r.code(), r.err());
        assertEquals(
                "syscage: sh was killed by SIGSEGV: to see the calls the policy denies, run it with --complain"
                        + " --log FILE\n",
                r.err());
        Result term = syscage(dir, "run", "-q", "--profile", "default", "--", "sh", "-c", "kill -TERM $$");
        assertEquals(143, term.code(), term.err());
        assertEquals("syscage: sh was killed by SIGTERM (exit status 143)\n", term.err());
        Result exited = syscage(dir, "run", "-q", "--profile", "default", "--", "sh", "-c", "exit 3");
        assertEquals(3, exited.code());
        assertEquals("", exited.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"trace", "notify"})
    void theLastCallsTheSupervisorDeniedTheProgramAreNamed(String mode) throws Exception {
        PtraceAttach.assumeModeWorks(mode);
        Files.writeString(dir.resolve("p.yaml"), """
                version: 1
                default: allow
                rules:
                  - action: errno ENOSYS
                    syscalls: [io_uring_setup]
                  - action: trace
                    syscalls: [openat]
                supervise:
                  rules:
                    - syscalls: [openat]
                      path: ["/etc/hostname"]
                      decision: errno EACCES
                """);
        Result r = syscage(
                dir,
                "run",
                "-q",
                "--mode",
                mode,
                "--policy",
                "p.yaml",
                "--",
                "sh",
                "-c",
                "true </etc/hostname; kill -BUS $$");
        assertEquals(135, r.code(), r.err());
        assertTrue(
                r.err()
                        .endsWith(
                                "syscage: sh was killed by SIGBUS: last denied call: openat(AT_FDCWD, \"/etc/hostname\","
                                        + " O_RDONLY) = -1 EACCES (rule p.yaml:10)\n"),
                r.err());
    }

    @Test
    void aTrapTheKernelDoesNotLogIsNamedByThePolicysRules() throws Exception {
        Files.writeString(
                dir.resolve("t.yaml"),
                "version: 1\ndefault: allow\nrules:\n  - action: trap\n" + "    syscalls: [mkdir, mkdirat]\n");
        Result r = syscage(
                dir,
                "run",
                "-q",
                "--policy",
                "t.yaml",
                "--",
                "mkdir",
                dir.resolve("m").toString());
        assertEquals(159, r.code(), r.err());
        assertEquals(
                "syscage: mkdir was killed by SIGSYS: the kernel log names no killed syscall; the policy's kill and"
                        + " trap rules: t.yaml:4 trap [mkdir, mkdirat]; to see the calls the policy denies, run it with"
                        + " --complain --log FILE\n",
                r.err());
    }
}
