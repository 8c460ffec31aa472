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
    static final int SIGSYS = 31;
    /** The launcher option that puts the run in its own PID namespace (native/launcher/contain.h). */
    public static final String CONTAIN = "--contain";
    /** The same without the mount namespace, for supervised runs. */
    public static final String CONTAIN_PID_ONLY = "--contain-pid-only";

    private final LinuxCLibrary libc;
    private final PrintWriter err;
    private java.util.function.IntConsumer onProgram;

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
     * @param launcherFlags extra launcher options (e.g. {@code --flags log})
     * @param syscallName   names a syscall number for the SIGSYS message, or null
     */
    public int run(Path launcher, byte[] program, List<String> launcherFlags, List<String> command,
            IntFunction<String> syscallName) throws IOException, InterruptedException {
        boolean contained = launcherFlags.contains(CONTAIN) || launcherFlags.contains(CONTAIN_PID_ONLY);
        int[] pidPipe = contained ? HandshakePipes.pipe(libc) : null;
        try (SealedFilter filter = SealedFilter.of(libc, program)) {
            List<String> argv = new ArrayList<>();
            argv.add(launcher.toString());
            argv.add("--filter");
            argv.add(filter.path());
            argv.addAll(launcherFlags);
            if (contained) { // the program's pid is not the launcher's: it says which it is
                argv.addAll(List.of("--report-pid", "/proc/" + libc.getpid() + "/fd/" + pidPipe[1]));
            }
            argv.add("--");
            argv.addAll(command);
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
     * One line when a signal ended the program ({@link ProgramEnd}); for SIGSYS, a 'kill' rule
     * (exit status 159), it names the syscall.
     */
    void reportEnd(int code, long pid, List<String> command, IntFunction<String> syscallName) {
        ProgramEnd.line(command.get(0), code, code == 128 + SIGSYS ? sigsysDetail(pid, syscallName) : "")
                .ifPresent(line -> {
                    err.println(line);
                    err.flush();
                });
    }

    private String sigsysDetail(long pid, IntFunction<String> syscallName) {
        OptionalInt nr = KernelLog.killedSyscall(libc, pid);
        String what = nr.isPresent() ? "syscall " + describe(nr.getAsInt(), syscallName) : "a syscall";
        return "the policy kills " + what + (nr.isPresent() ? "" : " (the kernel log, dmesg | grep type=1326, names it)");
    }

    private static String describe(int nr, IntFunction<String> names) {
        String n = names == null ? null : names.apply(nr);
        return n == null ? String.valueOf(nr) : n + " (" + nr + ")";
    }
}
