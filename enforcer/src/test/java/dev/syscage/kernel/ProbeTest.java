package dev.syscage.kernel;

import static dev.syscage.policy.bpf.Bpf.BPF_A;
import static dev.syscage.policy.bpf.Bpf.BPF_ABS;
import static dev.syscage.policy.bpf.Bpf.BPF_ALU;
import static dev.syscage.policy.bpf.Bpf.BPF_AND;
import static dev.syscage.policy.bpf.Bpf.BPF_JEQ;
import static dev.syscage.policy.bpf.Bpf.BPF_JMP;
import static dev.syscage.policy.bpf.Bpf.BPF_K;
import static dev.syscage.policy.bpf.Bpf.BPF_LD;
import static dev.syscage.policy.bpf.Bpf.BPF_OR;
import static dev.syscage.policy.bpf.Bpf.BPF_RET;
import static dev.syscage.policy.bpf.Bpf.BPF_W;
import static dev.syscage.policy.bpf.Bpf.SECCOMP_DATA_ARGS;
import static dev.syscage.policy.bpf.Bpf.SECCOMP_DATA_NR;
import static dev.syscage.policy.seccomp.SeccompRet.SECCOMP_RET_ALLOW;
import static dev.syscage.policy.seccomp.SeccompRet.SECCOMP_RET_ERRNO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.kernel.ProbeCase.Abi;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.bpf.Insn;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.model.Action;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe's contract, and the kernel facts the other kernel tests rely on: what each
 * seccomp action looks like from the calling process (TRACE with no tracer and USER_NOTIF with
 * no listener both fail with ENOSYS), what the guard does, that int $0x80 and x32 numbers reach
 * the filter with the arch and number the interpreter assumes, and how bad input is reported.
 * Programs here are written by hand, not compiled, so a compiler bug cannot hide a probe bug.
 * The int $0x80 tests are skipped where the kernel has no IA-32 emulation ({@link Ia32}).
 */
class ProbeTest {
    private static final int GETPPID = 110;
    private static final int I386_GETPID = 20;
    private static final int ENOSYS = 38;

    @TempDir
    Path dir;

    /** {@code ret ACTION} for getppid, allow for everything else. */
    private static Program onGetppid(Action action) {
        return new Program(List.of(
                Insn.stmt(BPF_LD | BPF_W | BPF_ABS, SECCOMP_DATA_NR),
                Insn.jump(BPF_JMP | BPF_JEQ | BPF_K, GETPPID, 0, 1),
                Insn.stmt(BPF_RET | BPF_K, action.seccompRet()),
                Insn.stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)));
    }

    private static Program always(Action action) {
        return new Program(List.of(Insn.stmt(BPF_RET | BPF_K, action.seccompRet())));
    }

    private static KernelResult getppidUnder(Action action, boolean guarded) {
        return Probe.run(onGetppid(action), List.of(ProbeCase.of(Abi.X86_64, GETPPID)), guarded)
                .get(0);
    }

    @Test
    void eachActionAsTheCallerSeesIt() {
        assertEquals(
                "trap 7 110 0xc000003e", getppidUnder(Action.trap(7), false).toString());
        assertEquals(KernelResult.killed(KernelResult.SIGSYS), getppidUnder(Action.KILL, false));
        assertEquals(
                KernelResult.killed(KernelResult.SIGSYS),
                getppidUnder(Action.KILL_THREAD, false),
                "kill_thread of a process's only thread ends the process with SIGSYS");
        assertEquals(KernelResult.errno(1234), getppidUnder(Action.errno(1234), false));
        assertEquals("ret 0", getppidUnder(Action.errno(0), false).toString(), "errno 0 fakes success");
        for (Action runs : List.of(Action.ALLOW, Action.LOG)) {
            KernelResult r = getppidUnder(runs, false);
            assertTrue(r.returned() && r.value() > 1, runs + " runs getppid, which returns the probe's pid: " + r);
        }
    }

    @Test
    void traceWithoutTracerAndNotifyWithoutListenerFailWithEnosys() {
        assertEquals(KernelResult.errno(ENOSYS), getppidUnder(Action.trace(5), false));
        assertEquals(KernelResult.errno(ENOSYS), getppidUnder(Action.NOTIFY, false));
    }

    @Test
    void theGuardTurnsEveryRunningActionIntoItsErrnoAndLeavesTheOthers() {
        int guard = Probe.GUARD_ERRNO;
        for (Action runs : List.of(Action.ALLOW, Action.LOG, Action.trace(5), Action.NOTIFY)) {
            assertEquals(KernelResult.errno(guard), getppidUnder(runs, true), runs.toString());
        }
        assertEquals(KernelResult.errno(7), getppidUnder(Action.errno(7), true));
        assertEquals(KernelResult.killed(KernelResult.SIGSYS), getppidUnder(Action.KILL, true));
        assertEquals("trap 3 110 0xc000003e", getppidUnder(Action.trap(3), true).toString());
    }

    @Test
    void x32NumbersAndMinusOneReachTheFilterWithTheArchTheInterpreterAssumes() {
        List<KernelResult> r = Probe.run(
                always(Action.trap(9)),
                List.of(ProbeCase.of(Abi.X86_64, Arch.X32_SYSCALL_BIT | 39), ProbeCase.of(Abi.X86_64, -1)));
        assertEquals("trap 9 1073741863 0xc000003e", r.get(0).toString());
        assertEquals("trap 9 -1 0xc000003e", r.get(1).toString());
    }

    @Test
    void int80ReachesTheFilterWithTheArchTheInterpreterAssumes() {
        Ia32.assumeAvailable();
        KernelResult r = Probe.runOne(always(Action.trap(9)), ProbeCase.of(Abi.I386, I386_GETPID));
        assertEquals("trap 9 20 0x40000003", r.toString());
    }

    /**
     * int $0x80 from a 64-bit process: the kernel copies the full 64-bit registers into
     * seccomp_data.args (syscall_get_arguments does not truncate them for compat calls), so an
     * i386 filter can see garbage in the upper halves. The filter here returns the upper word
     * of arg0 (masked) as the errno.
     */
    @Test
    void i386ArgumentsReachTheFilterWithTheirUpperHalves() {
        Ia32.assumeAvailable();
        Program upperWordOfArg0 = new Program(List.of(
                Insn.stmt(BPF_LD | BPF_W | BPF_ABS, SECCOMP_DATA_ARGS + 4),
                Insn.stmt(BPF_ALU | BPF_AND | BPF_K, 0xfff),
                Insn.stmt(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO),
                Insn.stmt(BPF_RET | BPF_A, 0)));
        List<KernelResult> r = Probe.run(
                upperWordOfArg0,
                List.of(ProbeCase.of(Abi.I386, I386_GETPID, 0x12300000005L), ProbeCase.of(Abi.I386, I386_GETPID, 5L)));
        assertEquals(KernelResult.errno(0x123), r.get(0));
        assertEquals("ret 0", r.get(1).toString(), "no upper half: errno 0");
    }

    @Test
    void memoryArgumentsWorkThroughSyscall() {
        Path a = dir.resolve("made-by-syscall");
        assertEquals(
                "ret 0",
                Probe.runOne(always(Action.ALLOW), ProbeCase.of(Abi.X86_64, 83, "str:" + a, 0700))
                        .toString());
        assertTrue(Files.isDirectory(a));
    }

    @Test
    void memoryArgumentsWorkThroughInt80() {
        Ia32.assumeAvailable();
        Path b = dir.resolve("made-by-int80");
        assertEquals(
                "ret 0",
                Probe.runOne(always(Action.ALLOW), ProbeCase.of(Abi.I386, 39, "str:" + b, 0700))
                        .toString());
        assertTrue(Files.isDirectory(b));
    }

    @Test
    void aChildThatExitsOrHangsIsReported() {
        List<String> in = List.of("64 231 7", "64 34");
        Probe.Output out = Probe.runRaw(always(Action.ALLOW).toBytes(), in, List.of("--timeout", "1"));
        assertEquals(List.of("exit 7", "signal 14"), out.lines(), out.stderr());
    }

    @Test
    void everySyscallNumberButTheDocumentedOnesReachesTheFilter() {
        assertOnlyDocumentedNumbersBypass(Abi.X86_64);
    }

    @Test
    void everyInt80NumberButTheDocumentedOnesReachesTheFilter() {
        Ia32.assumeAvailable();
        assertOnlyDocumentedNumbersBypass(Abi.I386);
    }

    private static void assertOnlyDocumentedNumbersBypass(Abi abi) {
        Set<Integer> found = KernelQuirks.unfiltered().get(abi);
        assertTrue(
                KernelQuirks.DOCUMENTED.get(abi).containsAll(found),
                "numbers that bypass seccomp on this kernel (" + abi + "): " + found + "; documented: "
                        + KernelQuirks.DOCUMENTED.get(abi));
    }

    @Test
    void badInputIsNamed() {
        byte[] ok = always(Action.ALLOW).toBytes();
        Probe.Output badLine = Probe.runRaw(ok, List.of("64 39", "64 zz"), List.of());
        assertEquals(2, badLine.status());
        assertEquals(
                "syscage-probe: stdin line 2: expected a number (decimal or 0x-hex, optionally negative)\n",
                badLine.stderr());
        Probe.Output badAbi = Probe.runRaw(ok, List.of("16 39"), List.of());
        assertEquals("syscage-probe: stdin line 1: ABI must be 64 (syscall) or 32 (int $0x80)\n", badAbi.stderr());
        Probe.Output tooMany = Probe.runRaw(ok, List.of("64 39 1 2 3 4 5 6 7"), List.of());
        assertEquals("syscage-probe: stdin line 1: more than 6 arguments\n", tooMany.stderr());
    }

    @Test
    void badFiltersAreNamed() {
        Probe.Output shortFile = Probe.runRaw(new byte[7], List.of("64 39"), List.of());
        assertEquals(2, shortFile.status());
        assertTrue(
                shortFile.stderr().endsWith(": not a filter: the size must be a non-zero multiple of 8 bytes\n"),
                shortFile.stderr());
        byte[] noRet = new Program(List.of(Insn.stmt(BPF_LD | BPF_W | BPF_ABS, SECCOMP_DATA_NR))).toBytes();
        Probe.Output refused = Probe.runRaw(noRet, List.of("64 39"), List.of());
        assertEquals(1, refused.status());
        assertEquals(
                "syscage-probe: seccomp(SECCOMP_SET_MODE_FILTER): Invalid argument (Hint: the kernel refused "
                        + "the program; is it a valid seccomp filter, and is the kernel built with CONFIG_SECCOMP_FILTER?)\n",
                refused.stderr());
    }
}
