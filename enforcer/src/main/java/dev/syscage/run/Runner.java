package dev.syscage.run;

import dev.syscage.nativeaccess.LinuxCLibrary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.IntFunction;

/**
 * Runs a program under a compiled filter: the filter goes to the launcher in a sealed memfd,
 * the launcher installs it and execs the program in its own place, so the program's pid is the
 * launcher's. Standard streams and the terminal are inherited. SIGTERM and SIGHUP sent to
 * syscage are passed on; SIGINT too, except when syscage runs on a terminal, whose Ctrl-C already
 * reaches the whole foreground process group. The exit status is the program's, or 128+N when
 * signal N ended it.
 */
public final class Runner {
    private final LinuxCLibrary libc;
    private final PrintWriter err;
    private java.util.function.IntConsumer onProgram;
    private java.util.function.LongFunction<List<String>> lastDenied;
    private List<String> sigsysRules = List.of();

    public Runner(LinuxCLibrary libc, PrintWriter err) {
        this.libc = libc;
        this.err = err;
    }

    /**
     * Tells {@code listener} the program's pid, as syscage numbers it, as soon as it is known
     * (contained: when the program's process reports it, before it starts); returns this runner.
     */
    public Runner onProgram(java.util.function.IntConsumer listener) {
        this.onProgram = listener;
        return this;
    }

    /**
     * Starts {@code plan} (a run without a supervisor) and waits for it.
     *
     * @param syscallName names a syscall number for the SIGSYS message, or null
     */
    public int run(LaunchPlan plan, IntFunction<String> syscallName) throws IOException, InterruptedException {
        boolean contained = plan.contained();
        Path launcher = plan.launcher();
        List<String> command = plan.command();
        int[] pidPipe = contained ? HandshakePipes.pipe(libc) : null;
        try (SealedFilter filter = SealedFilter.of(libc, plan.filter())) {
            // the program's pid is not the launcher's when contained: it says which it is
            List<String> argv = plan.argv(
                    filter.path(), List.of(), contained ? "/proc/" + libc.getpid() + "/fd/" + pidPipe[1] : null);
            SignalForwarding.hold(launcher);
            Process p = new ProcessBuilder(argv).inheritIO().start();
            SignalForwarding.to(libc, p.pid(), launcher);
            long early = onProgram == null ? -1 : contained ? reportedNow(pidPipe[0], p) : p.pid();
            if (early > 0) {
                onProgram.accept((int) early);
            }
            int code = p.waitFor();
            long programPid = early > 0 ? early : contained ? HandshakePipes.readReported(libc, pidPipe[0]) : p.pid();
            if (programPid > 0) {
                reportEnd(code, programPid, command, syscallName);
            }
            return code;
        } finally {
            if (pidPipe != null) {
                libc.close(pidPipe[0]);
                libc.close(pidPipe[1]);
            }
        }
    }

    /** The pid the program's process reports before it starts; -1 when the launcher failed first. */
    private long reportedNow(int fd, Process launcher) throws IOException {
        String line = HandshakePipes.readLine(libc, fd, launcher);
        try {
            return line == null ? -1 : Long.parseLong(line.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Where the supervisor remembers the last calls it denied each process (a supervised run):
     * named when the program dies of a signal. Without it the run says how to find them.
     */
    public Runner onDenials(java.util.function.LongFunction<List<String>> lastDenied) {
        this.lastDenied = lastDenied;
        return this;
    }

    /**
     * The policy's rules that end a call with SIGSYS ({@code p.yaml:4 trap [mkdir, mkdirat]}):
     * named when the kernel log does not say which syscall (a trap is logged only with
     * {@code --flags log}).
     */
    public Runner sigsysRules(List<String> rules) {
        this.sigsysRules = List.copyOf(rules);
        return this;
    }

    /**
     * One line when a signal ended the program ({@link ProgramEnd}), with what syscage knows of
     * why: for SIGSYS the syscall the kernel log names (a 'kill' or 'trap' rule), and for any
     * signal the last calls the supervisor denied the program, or, for a crash, how to see the
     * calls the policy denies.
     */
    void reportEnd(int code, long pid, List<String> command, IntFunction<String> syscallName) {
        OptionalInt sig = ProgramEnd.fatalSignal(code);
        if (sig.isEmpty()) {
            return;
        }
        ProgramEnd.line(command.get(0), code, detail(sig.getAsInt(), pid, syscallName))
                .ifPresent(line -> {
                    err.println(line);
                    err.flush();
                });
    }

    private String detail(int sig, long pid, IntFunction<String> syscallName) {
        List<String> parts = new ArrayList<>();
        OptionalInt nr = sig == ProgramEnd.SIGSYS ? KernelLog.killedSyscall(libc, pid) : OptionalInt.empty();
        if (sig == ProgramEnd.SIGSYS) {
            parts.add(
                    nr.isPresent()
                            ? "the policy kills syscall " + describe(nr.getAsInt(), syscallName)
                            : sigsysRules.isEmpty()
                                    ? "the policy kills (or traps) a syscall (the kernel log, dmesg | grep type=1326, names it)"
                                    : "the kernel log names no killed syscall; the policy's kill and trap rules: "
                                            + String.join("; ", sigsysRules));
        }
        List<String> denied = lastDenied == null ? List.of() : lastDenied.apply(pid);
        if (!denied.isEmpty()) {
            parts.add(
                    denied.size() == 1
                            ? "last denied call: " + denied.get(0)
                            : "last denied calls:\n  " + String.join("\n  ", denied));
        } else if (ProgramEnd.crash(sig) && nr.isEmpty()) {
            parts.add(
                    lastDenied == null
                            ? "to see the calls the policy denies, run it with --complain --log FILE"
                            : "the supervisor denied none of its calls (the filter's denials it does not see: --complain "
                                    + "--log FILE records them)");
        }
        return String.join("; ", parts);
    }

    private static String describe(int nr, IntFunction<String> names) {
        String n = names == null ? null : names.apply(nr);
        return n == null ? String.valueOf(nr) : n + " (" + nr + ")";
    }
}
