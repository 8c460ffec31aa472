package dev.syscage.run;

import dev.syscage.nativeaccess.LinuxCLibrary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.IntFunction;
import sun.misc.Signal;

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

    private final LinuxCLibrary libc;
    private final PrintWriter err;

    public Runner(LinuxCLibrary libc, PrintWriter err) {
        this.libc = libc;
        this.err = err;
    }

    /**
     * @param launcherFlags extra launcher options (e.g. {@code --flags log})
     * @param syscallName   names a syscall number for the SIGSYS message, or null
     */
    public int run(Path launcher, byte[] program, List<String> launcherFlags, List<String> command,
            IntFunction<String> syscallName) throws IOException, InterruptedException {
        try (SealedFilter filter = SealedFilter.of(libc, program)) {
            List<String> argv = new ArrayList<>();
            argv.add(launcher.toString());
            argv.add("--filter");
            argv.add(filter.path());
            argv.addAll(launcherFlags);
            argv.add("--");
            argv.addAll(command);
            Process p = new ProcessBuilder(argv).inheritIO().start();
            List<Signal> forwarded = new ArrayList<>(List.of(new Signal("TERM"), new Signal("HUP")));
            if (System.console() == null) {
                forwarded.add(new Signal("INT"));
            } else {
                Signal.handle(new Signal("INT"), s -> { });
            }
            for (Signal s : forwarded) {
                Signal.handle(s, sig -> libc.kill((int) p.pid(), sig.getNumber()));
            }
            int code = p.waitFor();
            if (code == 128 + SIGSYS) {
                OptionalInt nr = KernelLog.killedSyscall(libc, p.pid());
                String what = nr.isPresent() ? "syscall " + describe(nr.getAsInt(), syscallName) : "a syscall";
                err.println("syscage: " + command.get(0) + " was killed by SIGSYS: the policy kills " + what
                        + (nr.isPresent() ? "" : " (the kernel log, dmesg | grep type=1326, names it)"));
                err.flush();
            }
            return code;
        }
    }

    private static String describe(int nr, IntFunction<String> names) {
        String n = names == null ? null : names.apply(nr);
        return n == null ? String.valueOf(nr) : n + " (" + nr + ")";
    }
}
