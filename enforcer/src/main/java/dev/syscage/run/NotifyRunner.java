package dev.syscage.run;

import dev.syscage.nativeaccess.LinuxCLibrary;
import dev.syscage.nativeaccess.NotifyFastPath;
import dev.syscage.nativeaccess.Pidfd;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.rewrite.ViewWatch;
import dev.syscage.supervise.NotifyDecider;
import dev.syscage.supervise.notify.LandlockDomain;
import dev.syscage.supervise.notify.NotifySupervisor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Runs a program under a filter whose {@code notify} rules the JVM answers through a seccomp
 * listener. The filter must be installed by the program's own process, so the launcher forks
 * it (see docs/notify.md), and the handshake goes over two pipes (and, for the SCM_RIGHTS
 * handoff, a socket):
 *
 * <ol>
 *   <li>the launcher's child reports "PID FD SOCK": its pid, the fd number its listener will
 *       get and its socket's, and waits;</li>
 *   <li>the JVM chooses how it takes the listener ({@link ListenerTransfer}: pidfd_getfd or
 *       SCM_RIGHTS) and says so on the go pipe; the child installs the filter, and the JVM gets
 *       the listener;</li>
 *   <li>the JVM starts the supervisor thread and sends 'g'; the child closes its own copy of
 *       the listener and execs.</li>
 * </ol>
 * The program is free for ptrace (strace, gdb). If the JVM dies, the launcher (a child
 * subreaper watching the JVM's pidfd) kills the whole program tree.
 */
public final class NotifyRunner {
    private final LinuxCLibrary libc;
    private final Runner runner;
    private final ViewWatch watch;
    private final LandlockRuleset landlock;
    private java.util.function.IntConsumer onProgram = pid -> {};

    public NotifyRunner(LinuxCLibrary libc, Runner runner) {
        this(libc, runner, ViewWatch.NONE);
    }

    /**
     * @param watch what the program's filter sends to the supervisor only to keep its view cache
     *     true: the filter must have been compiled from {@code watch.apply(policy)}
     */
    public NotifyRunner(LinuxCLibrary libc, Runner runner, ViewWatch watch) {
        this(libc, runner, watch, LandlockRuleset.NONE);
    }

    /**
     * @param landlock the program's Landlock ruleset, as the launcher applies it: the calls the
     *     supervisor makes on the program's behalf run in an equal domain ({@link LandlockDomain}),
     *     made before the launcher starts (a failure ends the run before anything is launched)
     *     and closed with the run; {@link LandlockRuleset#NONE}: no domain
     */
    public NotifyRunner(LinuxCLibrary libc, Runner runner, ViewWatch watch, LandlockRuleset landlock) {
        this.libc = libc;
        this.runner = runner;
        this.watch = watch;
        this.landlock = landlock;
    }

    /**
     * Tells {@code listener} the pid of the program's process (the one that installs the filter,
     * enters the Landlock domain and execs) before it goes on; returns this runner.
     */
    public NotifyRunner onProgram(java.util.function.IntConsumer listener) {
        this.onProgram = listener;
        return this;
    }

    /** The result of a supervised run: the exit status and how many notifications were answered. */
    public record Outcome(int exitCode, long events) {}

    public Outcome run(
            Path launcher,
            byte[] program,
            List<String> launcherFlags,
            List<String> command,
            NotifyDecider decider,
            IntFunction<String> syscallName)
            throws Exception {
        return run(launcher, program, launcherFlags, command, decider, syscallName, ListenerHandoff.AUTO);
    }

    /** As above, with the listener handed over as {@code handoff} says. */
    public Outcome run(
            Path launcher,
            byte[] program,
            List<String> launcherFlags,
            List<String> command,
            NotifyDecider decider,
            IntFunction<String> syscallName,
            ListenerHandoff handoff)
            throws Exception {
        int me = libc.getpid();
        // closed last, once the supervisor has stopped making calls in it
        try (LandlockDomain domain = LandlockDomain.of(landlock);
                SealedFilter filter = SealedFilter.of(libc, program);
                ListenerTransfer transfer = ListenerTransfer.open(libc, handoff, program);
                Handles h = new Handles(HandshakePipes.pipe(libc), HandshakePipes.pipe(libc), transfer)) {
            List<String> argv = new ArrayList<>(List.of(
                    launcher.toString(),
                    "--filter",
                    filter.path(),
                    "--notify-handshake",
                    "/proc/" + me + "/fd/" + h.report[1] + ",/proc/" + me + "/fd/" + h.go[0]));
            argv.addAll(h.transfer.launcherArgs());
            argv.addAll(launcherFlags);
            argv.add("--");
            argv.addAll(command);
            SignalForwarding.hold(launcher);
            h.launcher = new ProcessBuilder(argv).inheritIO().start();
            SignalForwarding.to(libc, h.launcher.pid(), launcher);
            // the native receive loop, built beside the launcher
            Optional<NotifyFastPath> fastPath =
                    NotifyFastPath.load(launcher.toAbsolutePath().getParent());
            int child = handOver(h, decider, fastPath, domain);
            if (child < 0) {
                return new Outcome(h.launcher.waitFor(), 0); // the launcher failed and said why
            }
            int code = h.launcher.waitFor();
            long events = finish(h.supervisor);
            runner.reportEnd(code, child, command, syscallName);
            return new Outcome(code, events);
        }
    }

    /**
     * Steps 1-3 of the handshake: the child's pid, or -1 when the launcher failed first. On
     * return the supervisor runs and the go byte is sent.
     */
    private int handOver(Handles h, NotifyDecider decider, Optional<NotifyFastPath> fastPath, LandlockDomain domain)
            throws Exception {
        String line = HandshakePipes.readLine(libc, h.report[0], h.launcher);
        if (line == null) {
            return -1;
        }
        ListenerTransfer.Report report = ListenerTransfer.Report.parse(line);
        int child = report.pid();
        onProgram.accept(child);
        h.pidfd = openChild(child, h.launcher.pid());
        h.listener.set(h.transfer.take(report, h.pidfd, h.go[1], h.launcher));
        if (h.listener.get() < 0) {
            return -1;
        }
        h.supervisor = new NotifySupervisor(h.listener.get(), decider, watch, fastPath, domain);
        // if the supervisor fails, closing the listener fails every routed call (ENOSYS)
        // instead of leaving the program blocked in one; the error is thrown at the end
        h.supervisor.finished().whenComplete((n, e) -> {
            if (e != null) {
                closeQuietly(h.listener.getAndSet(-1));
            }
        });
        h.supervisor.start();
        if (libc.write(h.go[1], new byte[] {'g'}, 1) != 1) {
            throw new IllegalStateException("write(go pipe): " + libc.strerror(libc.errno()));
        }
        return child;
    }

    /** What a run holds, released in order: pipes, launcher, supervisor, listener, pidfd. */
    private final class Handles implements AutoCloseable {
        final int[] report;
        final int[] go;
        final ListenerTransfer transfer;
        final AtomicInteger listener = new AtomicInteger(-1);
        Process launcher;
        int pidfd = -1;
        NotifySupervisor supervisor;

        Handles(int[] report, int[] go, ListenerTransfer transfer) {
            this.report = report;
            this.go = go;
            this.transfer = transfer;
        }

        @Override
        public void close() throws InterruptedException {
            for (int fd : new int[] {report[0], report[1], go[0], go[1]}) {
                libc.close(fd); // the go pipe's end-of-file stops a child still waiting for it
            }
            if (launcher != null && launcher.isAlive()) {
                launcher.destroyForcibly();
            }
            if (supervisor != null) {
                supervisor.stop();
                try {
                    supervisor.finished().get(5, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    // the run's own outcome or exception is what counts here
                }
            }
            closeQuietly(listener.getAndSet(-1));
            closeQuietly(pidfd);
        }
    }

    /** Waits until no process uses the filter (the launcher has killed and reaped the tree). */
    private static long finish(NotifySupervisor supervisor) throws Exception {
        try {
            return supervisor.finished().get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            supervisor.stop();
            return supervisor.finished().get(5, TimeUnit.SECONDS);
        }
    }

    /** A pidfd for the launcher's child, checked to still be that child. */
    private static int openChild(int child, long launcherPid) throws IOException {
        int fd = Pidfd.kernel().pidfd_open(child);
        if (fd < 0) {
            throw new IOException(
                    "pidfd_open(" + child + "): errno " + -fd + " (notify mode needs Linux 5.6 or later)");
        }
        // the launcher's child, or (--contain) its grandchild below the run's init
        long parent = parentOf(child);
        if (parent != launcherPid && (parent <= 0 || parentOf((int) parent) != launcherPid)) {
            closeQuietly(fd);
            throw new IOException("process " + child + " is not the launcher's child any more");
        }
        return fd;
    }

    private static long parentOf(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static void closeQuietly(int fd) {
        if (fd >= 0) {
            Pidfd.kernel().close(fd); // nothing to do when it fails
        }
    }
}
