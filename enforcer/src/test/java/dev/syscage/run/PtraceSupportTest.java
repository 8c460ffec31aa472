package dev.syscage.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class PtraceSupportTest {
    private static String status(long tracer, String capEff) {
        return "Name:\tjava\nState:\tS (sleeping)\nTracerPid:\t" + tracer + "\nCapEff:\t" + capEff + "\n";
    }

    @Test
    void usableWhenUntracedAndYamaAllows() {
        assertTrue(PtraceSupport.of(status(0, "0000000000000000"), Optional.empty())
                .usable());
        assertTrue(PtraceSupport.of(status(0, "0000000000000000"), Optional.of("1\n"))
                .usable());
    }

    @Test
    void aTracedSyscageCannotTraceItsChildren() {
        PtraceSupport s = PtraceSupport.of(status(4242, "000001ffffffffff"), Optional.of("0\n"));
        assertFalse(s.usable());
        assertTrue(s.reason().contains("TracerPid 4242"), s.reason());
    }

    @Test
    void yamaScopeThreeForbidsEveryone() {
        assertFalse(PtraceSupport.of(status(0, "000001ffffffffff"), Optional.of("3\n"))
                .usable());
    }

    @Test
    void yamaScopeTwoNeedsCapSysPtrace() {
        assertTrue(PtraceSupport.of(status(0, "0000000000080000"), Optional.of("2"))
                .usable());
        PtraceSupport without = PtraceSupport.of(status(0, "0000000000000000"), Optional.of("2"));
        assertFalse(without.usable());
        assertTrue(without.reason().contains("CAP_SYS_PTRACE"), without.reason());
    }

    /** This JVM's answer agrees with what /proc says about it (run untraced, as tests are). */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void thisProcessAgreesWithProc() throws Exception {
        String status = Files.readString(Path.of("/proc/self/status"));
        boolean traced = status.lines().anyMatch(l -> l.startsWith("TracerPid:") && !l.endsWith("\t0"));
        Path yama = Path.of("/proc/sys/kernel/yama/ptrace_scope");
        String scope = Files.exists(yama) ? Files.readString(yama).strip() : "0";
        PtraceSupport s = PtraceSupport.ofThisProcess();
        if (!traced && scope.equals("0")) {
            assertTrue(s.usable(), s.reason());
        }
        if (traced) {
            assertFalse(s.usable());
        }
        assertEquals(s, PtraceSupport.ofThisProcess());
    }
}
