package dev.syscage.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the attach probe reads the tools' words: attached, refused, or neither (a failure, not a skip). */
class PtraceAttachTest {
    @Test
    void straceAttachedOrRefused() {
        assertEquals(
                Optional.empty(),
                PtraceAttach.judge("strace", 0, "strace: Process 4242 attached\n+++ killed by SIGKILL +++\n"));
        Optional<String> refused = PtraceAttach.judge(
                "strace", 1, "strace: attach: ptrace(PTRACE_SEIZE, 4242): Operation not permitted\n");
        assertTrue(
                refused.orElseThrow()
                        .startsWith(
                                "ptrace attach is refused on this machine: strace -p on a sleeping "
                                        + "sibling said 'strace: attach: ptrace(PTRACE_SEIZE, 4242): Operation not permitted' ("),
                refused.get());
    }

    @Test
    void gdbAttachedOrRefused() {
        assertEquals(
                Optional.empty(),
                PtraceAttach.judge(
                        "gdb",
                        0,
                        "0x00007f in clock_nanosleep () from /lib/libc.so.6\n[Inferior 1 (process 4242) detached]\n"));
        Optional<String> refused =
                PtraceAttach.judge("gdb", 1, "Attaching to process 4242\n" + "ptrace: Operation not permitted.\n");
        assertTrue(refused.orElseThrow().contains("said 'ptrace: Operation not permitted.'"), refused.get());
    }

    @Test
    void anythingElseFails() {
        AssertionError e = assertThrows(
                AssertionError.class,
                () -> PtraceAttach.judge("strace", 1, "strace: exec: No such file or directory\n"));
        assertEquals(
                "cannot tell whether strace may attach: it exited 1 saying: strace: exec: No such file or directory",
                e.getMessage());
        assertThrows(
                AssertionError.class, () -> PtraceAttach.judge("gdb", 1, "[Inferior 1 (process 4242) detached]\n"));
    }
}
