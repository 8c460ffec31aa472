package dev.syscage.kernel;

import static dev.syscage.policy.bpf.Bpf.BPF_K;
import static dev.syscage.policy.bpf.Bpf.BPF_RET;
import static dev.syscage.policy.seccomp.SeccompRet.SECCOMP_RET_ALLOW;

import dev.syscage.policy.bpf.Insn;
import dev.syscage.policy.bpf.Program;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether {@code int $0x80} from this 64-bit process reaches the kernel as an i386 system call
 * (IA-32 emulation). Where it does not, there is no int $0x80 gate and the instruction faults:
 * the process gets SIGSEGV. That is so on kernels built without CONFIG_IA32_EMULATION or booted
 * with {@code ia32_emulation=0}, and on some VM guests whatever their configuration (a Linux
 * 6.18 Firecracker/PVM guest with CONFIG_IA32_EMULATION=y faults with a general protection
 * fault, error 0x402: vector 0x80). Tests that make real int $0x80 calls start with
 * {@link #assumeAvailable()}; tests that only interpret or decode i386 data need no kernel and
 * run everywhere.
 *
 * <p>Asked once per JVM: syscage-probe, under an allow-all filter, makes getppid through
 * {@code syscall} and through {@code int $0x80} (i386 number 64), each in its own forked child of
 * the probe, so both must return the probe's pid. The answers:
 * <ul>
 * <li>both {@code ret P}, the same P: available;
 * <li>the int $0x80 child killed by SIGSEGV: not available, and the tests that need it are
 * skipped (JUnit assumptions) with a message saying so;
 * <li>anything else (the probe binary missing, the probe failing, another signal, another
 * answer): a failure of every test that needs it, with what happened: the build or the probe
 * is broken, which a skip would hide.
 * </ul>
 * {@code -Dsyscage.test.ia32=absent} makes the answer "not available" without asking the probe,
 * to see the skips on a machine where int $0x80 works.
 */
final class Ia32 {
    /** The system property that forces the answer; its one value. */
    static final String PROPERTY = "syscage.test.ia32";

    static final String FORCE_ABSENT = "absent";

    /** i386 getppid, and x86_64's for the control. */
    private static final int I386_GETPPID = 64;

    private static final int X86_64_GETPPID = 110;
    private static final int SIGSEGV = 11;

    private static final String NO_GATE = "the kernel has no int $0x80 gate (built without CONFIG_IA32_EMULATION, "
            + "booted with ia32_emulation=0, or a VM guest without it)";

    enum State {
        AVAILABLE,
        ABSENT,
        BROKEN
    }

    /** What was found: for ABSENT and BROKEN, what the probe said (or why it was not asked). */
    record Answer(State state, String finding) {

        /** What a test that needs int $0x80 is skipped or failed with. */
        String message() {
            return state == State.ABSENT
                    ? finding + "; this test makes int $0x80 calls, so it is skipped. The tests of i386 data without"
                            + " the kernel still run."
                    : finding;
        }
    }

    private static Answer answer;

    private Ia32() {}

    /**
     * For a test that makes int $0x80 calls: returns where they work, skips the test where they
     * fault with SIGSEGV, and fails it when the probe could not tell (see the class comment).
     */
    static void assumeAvailable() {
        Answer a = answer();
        if (a.state() == State.BROKEN) {
            throw new AssertionError(a.message());
        }
        Assumptions.assumeTrue(a.state() == State.AVAILABLE, a.message());
    }

    /** True only where int $0x80 works; for code that leaves i386 calls out rather than skipping. */
    static boolean available() {
        return answer().state() == State.AVAILABLE;
    }

    static synchronized Answer answer() {
        if (answer == null) {
            answer = find();
            System.out.println("syscage tests: "
                    + switch (answer.state()) {
                        case AVAILABLE ->
                            "IA-32 emulation (int $0x80) is available: the tests that make int $0x80 calls run";
                        case ABSENT -> answer.finding() + "; the tests that make int $0x80 calls are skipped";
                        case BROKEN -> answer.finding() + "; the tests that make int $0x80 calls fail";
                    });
        }
        return answer;
    }

    private static Answer find() {
        String forced = System.getProperty(PROPERTY);
        if (forced != null) {
            if (forced.equals(FORCE_ABSENT)) {
                return new Answer(
                        State.ABSENT,
                        "IA-32 emulation (int $0x80) is taken as not available: forced by -D" + PROPERTY + "="
                                + FORCE_ABSENT + " (the probe was not asked)");
            }
            return new Answer(
                    State.BROKEN, "-D" + PROPERTY + " takes only '" + FORCE_ABSENT + "', not '" + forced + "'");
        }
        Program allowAll = new Program(List.of(Insn.stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)));
        Probe.Output out;
        try {
            out = Probe.runRaw(allowAll.toBytes(), List.of("64 " + X86_64_GETPPID, "32 " + I386_GETPPID), List.of());
        } catch (AssertionError missing) { // Probe.binary(): the probe is not built
            return new Answer(State.BROKEN, "cannot tell whether IA-32 emulation works: " + missing.getMessage());
        }
        return judge(out);
    }

    /** The answer from the probe's output for the two getppid cases (syscall, then int $0x80). */
    static Answer judge(Probe.Output out) {
        String said = "the probe (64 " + X86_64_GETPPID + ", 32 " + I386_GETPPID + ") exited " + out.status() + " with "
                + out.lines()
                + (out.stderr().isEmpty() ? "" : ", stderr: " + out.stderr().strip());
        if (out.status() != 0 || out.lines().size() != 2) {
            return new Answer(State.BROKEN, "cannot tell whether IA-32 emulation works: " + said);
        }
        KernelResult control;
        KernelResult int80;
        try {
            control = KernelResult.parse(out.lines().get(0));
            int80 = KernelResult.parse(out.lines().get(1));
        } catch (IllegalArgumentException e) {
            return new Answer(State.BROKEN, "cannot tell whether IA-32 emulation works: " + said);
        }
        if (!control.returned() || control.value() <= 1) {
            return new Answer(
                    State.BROKEN,
                    "cannot tell whether IA-32 emulation works: the control call through "
                            + "syscall did not return the probe's pid: " + said);
        }
        if (int80.equals(control)) {
            return new Answer(State.AVAILABLE, "");
        }
        if (int80.equals(KernelResult.killed(SIGSEGV))) {
            return new Answer(
                    State.ABSENT,
                    "IA-32 emulation (int $0x80) is not available on this machine: the probe" + " got SIGSEGV; "
                            + NO_GATE);
        }
        return new Answer(
                State.BROKEN,
                "int $0x80 neither worked nor faulted with SIGSEGV: getppid through it gave '" + int80
                        + "', through syscall '" + control + "'; " + said);
    }
}
