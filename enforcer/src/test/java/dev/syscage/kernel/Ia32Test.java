package dev.syscage.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.kernel.Ia32.State;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How {@link Ia32} reads the probe's two getppid answers (syscall, then int $0x80), on made-up
 * outputs: a machine has only one of the kinds, and each kind must be told apart from a broken
 * probe, which has to fail rather than skip.
 */
class Ia32Test {
    private static Ia32.Answer judge(int status, List<String> lines, String stderr) {
        return Ia32.judge(new Probe.Output(status, lines, stderr));
    }

    @Test
    void theSamePidThroughBothGatesIsAvailable() {
        assertEquals(
                State.AVAILABLE, judge(0, List.of("ret 4242", "ret 4242"), "").state());
    }

    @Test
    void sigsegvFromInt80IsNotAvailableWithTheReason() {
        Ia32.Answer a = judge(0, List.of("ret 4242", "signal 11"), "");
        assertEquals(State.ABSENT, a.state());
        assertTrue(
                a.message()
                        .startsWith("IA-32 emulation (int $0x80) is not available on this machine: the probe got"
                                + " SIGSEGV; "),
                a.message());
    }

    @Test
    void anythingElseIsABrokenProbeNotASkip() {
        for (List<String> lines : List.of(
                List.of("ret 4242", "ret 4243"), // a wrong answer
                List.of("ret 4242", "errno 38"), // an error instead of the call
                List.of("ret 4242", "signal 4"), // another signal
                List.of("signal 11", "signal 11"), // the control failed too
                List.of("ret 4242"), // a line missing
                List.of("ret 4242", "nonsense"))) {
            Ia32.Answer a = judge(0, lines, "");
            assertEquals(State.BROKEN, a.state(), lines.toString());
            assertTrue(a.message().contains(lines.toString()), a.message());
        }
        Ia32.Answer failed = judge(1, List.of(), "syscage-probe: fork: Resource temporarily unavailable\n");
        assertEquals(State.BROKEN, failed.state());
        assertTrue(
                failed.message().endsWith("stderr: syscage-probe: fork: Resource temporarily unavailable"),
                failed.message());
    }
}
