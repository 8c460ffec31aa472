package dev.syscage.run;

import dev.syscage.nativeaccess.LinuxCLibrary;
import dev.syscage.policy.rewrite.SupervisionMode;
import dev.syscage.supervise.trace.TraceSupervisor;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Runs a program under a filter whose {@code trace} rules the JVM answers. The JVM must not
 * trace its own child (the JDK's reaper would steal the stops), so the launcher forks the
 * program and the handshake goes over two pipes the launcher opens as /proc/JVM/fd/N:
 *
 * <ol>
 *   <li>the supervisor thread starts and tells its thread id; the launcher is started with it;</li>
 *   <li>the launcher forks the program's process and writes its pid to the report pipe;</li>
 *   <li>the supervisor seizes that process, then one byte on the go pipe lets it on;</li>
 *   <li>the process checks that its tracer is the supervisor thread, installs the filter, execs.</li>
 * </ol>
 * If the JVM dies at any point the program dies with it: before the go byte, by end-of-file on
 * the go pipe; after it, by PTRACE_O_EXITKILL; and it dies with the launcher (its watch_fork).
 */
public final class TraceRunner {
    private final LinuxCLibrary libc;
    private final Runner runner;
    private java.util.function.IntConsumer onProgram = pid -> {};

    public TraceRunner(LinuxCLibrary libc, Runner runner) {
        this.libc = libc;
        this.runner = runner;
    }

    /**
     * Tells {@code listener} the pid of the program's process (the one that installs the filter,
     * enters the Landlock domain and execs) before it goes on; returns this runner.
     */
    public TraceRunner onProgram(java.util.function.IntConsumer listener) {
        this.onProgram = listener;
        return this;
    }

    /** The result of a traced run: the exit status and how many trace events were answered. */
    public record Outcome(int exitCode, long events) {}

    /** Runs {@code program} with the launcher options {@code launcherFlags}, without containment. */
    public Outcome run(
            Path launcher,
            byte[] program,
            List<String> launcherFlags,
            List<String> command,
            TraceSupervisor supervisor,
            IntFunction<String> syscallName)
            throws Exception {
        return run(
                new LaunchPlan(
                        launcher,
                        program,
                        Optional.of(SupervisionMode.TRACE),
                        LaunchPlan.Contain.NONE,
                        launcherFlags,
                        ListenerHandoff.AUTO,
                        false,
                        command),
                supervisor,
                syscallName);
    }

    /** Starts {@code plan} in trace mode, {@code supervisor} answering its trace stops. */
    public Outcome run(LaunchPlan plan, TraceSupervisor supervisor, IntFunction<String> syscallName) throws Exception {
        Path launcher = plan.launcher();
        List<String> command = plan.command();
        supervisor.start();
        int tracer = supervisor.threadId();
        int[] report = HandshakePipes.pipe(libc);
        int[] go = HandshakePipes.pipe(libc);
        int me = libc.getpid();
        Process p = null;
        try (SealedFilter filter = SealedFilter.of(libc, plan.filter())) {
            List<String> argv = plan.argv(
                    filter.path(),
                    List.of(
                            "--trace-handshake",
                            "/proc/" + me + "/fd/" + report[1] + ",/proc/" + me + "/fd/" + go[0],
                            "--tracer",
                            String.valueOf(tracer)),
                    null);
            SignalForwarding.hold(launcher);
            p = new ProcessBuilder(argv).inheritIO().start();
            SignalForwarding.to(libc, p.pid(), launcher);
            String line = HandshakePipes.readLine(libc, report[0], p);
            int child = line == null ? -1 : Integer.parseInt(line.strip());
            if (child < 0) {
                return new Outcome(p.waitFor(), 0); // the launcher failed and said why
            }
            onProgram.accept(child);
            try {
                supervisor.seize(child);
            } catch (Exception e) {
                libc.close(go[1]); // end-of-file: the child gives up without running the program
                go[1] = -1;
                throw new IllegalStateException("cannot trace the program (pid " + child + "): " + e.getMessage(), e);
            }
            if (libc.write(go[1], new byte[] {'g'}, 1) != 1) {
                throw new IllegalStateException("write(go pipe): " + libc.strerror(libc.errno()));
            }
            int code = p.waitFor();
            long events = supervisor.finished().get(10, TimeUnit.SECONDS);
            runner.reportEnd(code, child, command, syscallName);
            return new Outcome(code, events);
        } finally {
            for (int fd : new int[] {report[0], report[1], go[0], go[1]}) {
                if (fd >= 0) {
                    libc.close(fd);
                }
            }
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }
}
