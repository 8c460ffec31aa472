package dev.syscage.run;

import dev.syscage.nativeaccess.LinuxCLibrary;
import dev.syscage.nativeaccess.Pidfd;
import dev.syscage.nativeaccess.SeccompNotify;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Gets the launched process's seccomp listener into the JVM, by one of two ways (see
 * docs/notify.md, "Handing over the listener"). The process has reported "PID FD [SOCKET]" and
 * waits, before installing its filter, for the byte that says which:
 * <ul>
 *   <li>{@code 'p'}: the JVM copies the listener with {@code pidfd_getfd} once it exists;</li>
 *   <li>{@code 's'}: the process sends it over the {@link HandoffSocket} it connected to
 *       ({@code SCM_RIGHTS}); used when {@code pidfd_getfd} is refused ({@code EPERM}: Yama
 *       {@code ptrace_scope} 2 or 3, an LSM) or missing ({@code ENOSYS}), or when asked for.</li>
 * </ul>
 * Which one works is known before the filter exists: {@code pidfd_getfd} checks ptrace access
 * before it looks the fd up, so on a process without the listener yet it fails with
 * {@code EBADF} where it is allowed and with {@code EPERM} where not.
 */
final class ListenerTransfer implements AutoCloseable {
    private static final byte PIDFD = 'p';
    private static final byte SCM_RIGHTS = 's';

    private final LinuxCLibrary libc;
    private final ListenerHandoff handoff;
    private final byte[] filter;
    private final HandoffSocket socket;

    private ListenerTransfer(LinuxCLibrary libc, ListenerHandoff handoff, byte[] filter, HandoffSocket socket) {
        this.libc = libc;
        this.handoff = handoff;
        this.filter = filter;
        this.socket = socket;
    }

    /** Opens the handoff socket unless only pidfd_getfd is allowed. */
    static ListenerTransfer open(LinuxCLibrary libc, ListenerHandoff handoff, byte[] filter) throws IOException {
        HandoffSocket socket = handoff == ListenerHandoff.PIDFD ? null : HandoffSocket.open(libc);
        return new ListenerTransfer(libc, handoff, filter, socket);
    }

    /** The launcher's options for this transfer. */
    List<String> launcherArgs() {
        return socket == null
                ? List.of()
                : List.of("--notify-socket", socket.path().toString());
    }

    /** What the launched process reported: its pid, the listener's fd number-to-be, its socket fd (-1: none). */
    record Report(int pid, int listenerFd, int socketFd) {
        static Report parse(String line) {
            String[] f = line.trim().split(" ");
            return new Report(
                    Integer.parseInt(f[0]), Integer.parseInt(f[1]), f.length > 2 ? Integer.parseInt(f[2]) : -1);
        }
    }

    /**
     * The listener, in the JVM; -1 when the launched process exited first (the launcher says
     * why). {@code pidfd} refers to the process, {@code goFd} is the go pipe's write end.
     */
    int take(Report report, int pidfd, int goFd, Process launcher) throws Exception {
        if (socket != null) {
            socket.unlink(); // P connected before it reported
        }
        boolean scm = handoff == ListenerHandoff.SCM_RIGHTS || !pidfdGetfdAllowed(pidfd, report.listenerFd());
        if (!scm) {
            close(); // P's connection goes unused
            write(goFd, PIDFD);
            return copyWithPidfd(pidfd, report.listenerFd(), launcher);
        }
        Optional<String> problem = ScmRightsPreflight.problem(filter, report.socketFd());
        if (problem.isPresent()) {
            throw new IOException(problem.get());
        }
        if (!socket.acceptFrom(report.pid(), launcher::isAlive, HandshakePipes.TIMEOUT_MS)) {
            return -1;
        }
        write(goFd, SCM_RIGHTS);
        int listener = socket.receiveListener(launcher::isAlive, HandshakePipes.TIMEOUT_MS);
        socket.close(); // nothing more comes that way
        return listener;
    }

    /**
     * Whether pidfd_getfd may copy the process's fds. In auto mode a refusal (EPERM) or a kernel
     * without the call (ENOSYS) means SCM_RIGHTS; with --listener-handoff pidfd it ends the run.
     */
    private boolean pidfdGetfdAllowed(int pidfd, int notYetOpen) throws IOException {
        int got = Pidfd.kernel().pidfd_getfd(pidfd, notYetOpen); // cannot succeed: nothing opened it
        if (got >= 0) {
            Pidfd.kernel().close(got);
            return true;
        }
        int err = -got;
        if (err == SeccompNotify.EBADF || err == SeccompNotify.ESRCH) {
            return true; // allowed (the fd does not exist yet), or the process is gone: found out later
        }
        if ((err == SeccompNotify.EPERM || err == SeccompNotify.ENOSYS) && handoff == ListenerHandoff.AUTO) {
            return false;
        }
        throw new IOException("pidfd_getfd: errno " + err
                + (err == SeccompNotify.EPERM
                        ? " (EPERM: ptrace access to the program is refused, e.g. by kernel.yama.ptrace_scope 2 or 3;"
                                + " --listener-handoff auto or scm-rights hands the listener over without it)"
                        : err == SeccompNotify.ENOSYS
                                ? " (ENOSYS: needs Linux 5.6; --listener-handoff auto or scm-rights"
                                        + " works without it)"
                                : ""));
    }

    /** The listener copied with pidfd_getfd, retrying until the filter is installed. */
    private static int copyWithPidfd(int pidfd, int targetFd, Process launcher) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HandshakePipes.TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            int fd = Pidfd.kernel().pidfd_getfd(pidfd, targetFd);
            if (fd >= 0) {
                if (HandoffSocket.LISTENER_LINK.equals(HandoffSocket.linkOf(fd))) {
                    return fd;
                }
                Pidfd.kernel().close(fd);
            } else if (fd == -SeccompNotify.ESRCH) {
                return -1;
            } else if (fd != -SeccompNotify.EBADF) {
                throw new IOException("pidfd_getfd: errno " + -fd);
            }
            if (!launcher.isAlive()) {
                return -1;
            }
            Thread.sleep(1);
        }
        throw new IOException(
                "the program's seccomp listener did not appear within " + HandshakePipes.TIMEOUT_MS + " ms");
    }

    private void write(int goFd, byte b) {
        if (libc.write(goFd, new byte[] {b}, 1) != 1) {
            throw new IllegalStateException("write(go pipe): " + libc.strerror(libc.errno()));
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
        }
    }
}
