package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.trace.ProcTargetMemory;
import dev.syscage.supervise.trace.TraceSupervisor;
import java.util.concurrent.CompletableFuture;

/**
 * The user-notification side of the supervisor: one platform thread owns the seccomp listener
 * fd, receives each notification into a zeroed buffer, asks the same {@link TraceSupervisor.Decider}
 * as trace mode (so rules, audit log, hooks and metrics are shared), and answers:
 *
 * <ul>
 *   <li>allow: {@code SECCOMP_USER_NOTIF_FLAG_CONTINUE}: the kernel runs the call as the target
 *       asked, reading its arguments again. For a path argument that is no security decision:
 *       another thread of the target can change the path between the check and the call;</li>
 *   <li>errno: the call does not run and fails with that errno;</li>
 *   <li>kill: SIGKILL to the process, then an ENOSYS answer in case it is not gone yet.</li>
 * </ul>
 * Memory read while deciding is trusted only if {@code SECCOMP_IOCTL_NOTIF_ID_VALID} still holds
 * afterwards (the thread could have died and its pid been reused); if not, nothing is sent. An
 * ENOENT from RECV or SEND means the call was interrupted or the target died: nothing to answer.
 * The loop ends when the listener reports POLLHUP: no process uses the filter any more.
 */
public final class NotifySupervisor implements Runnable {
    private static final int POLL_MS = 200;

    private final int listener;
    private final TraceSupervisor.Decider decider;
    private final CompletableFuture<Long> finished = new CompletableFuture<>();
    private final ProcTargetMemory memory = new ProcTargetMemory();
    private final ProcessIds ids = new ProcessIds();
    private final Memory pollFd = new Memory(8);
    private final Memory idBuf = new Memory(8);
    private Memory notif;
    private Memory resp;
    private volatile boolean stopping;
    private long seq;

    /** @param listener the seccomp listener fd; this supervisor does not close it */
    public NotifySupervisor(int listener, TraceSupervisor.Decider decider) {
        this.listener = listener;
        this.decider = decider;
    }

    /** Starts the supervisor on its own platform thread. */
    public Thread start() {
        Thread t = new Thread(this, "syscage-notify");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Completes with the number of notifications handled once no process uses the filter. */
    public CompletableFuture<Long> finished() {
        return finished;
    }

    /** Ends the loop within {@value #POLL_MS} ms even if the listener never hangs up. */
    public void stop() {
        stopping = true;
    }

    @Override
    public void run() {
        try {
            NotifSizes sizes = NotifSizes.query();
            notif = new Memory(Math.max(sizes.notif(), NOTIF_SIZE));
            resp = new Memory(Math.max(sizes.resp(), RESP_SIZE));
            syncWakeUp();
            loop();
            finished.complete(seq);
        } catch (RuntimeException | Error e) {
            finished.completeExceptionally(e);
            throw e;
        }
    }

    /** SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6+): wake this thread on the caller's CPU. */
    private void syncWakeUp() {
        try {
            ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
        } catch (LastErrorException e) {
            // older kernel (EINVAL/ENOTTY): a little slower per event, same behaviour
        }
    }

    private void loop() {
        pollFd.setInt(0, listener);
        while (!stopping) {
            pollFd.setShort(4, POLLIN);
            pollFd.setShort(6, (short) 0);
            int r;
            try {
                r = poll(Pointer.nativeValue(pollFd), 1, POLL_MS);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == EINTR) {
                    continue;
                }
                throw e;
            }
            short revents = pollFd.getShort(6);
            if (r > 0 && (revents & POLLIN) != 0) {
                receiveAndAnswer();
            } else if (r > 0 && (revents & POLLHUP) != 0) {
                return;
            }
        }
    }

    private void receiveAndAnswer() {
        notif.clear();
        try {
            ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, Pointer.nativeValue(notif));
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EINTR || e.getErrorCode() == ENOENT) {
                return; // interrupted, or the caller died before we got to it
            }
            throw e;
        }
        long id = notif.getLong(NOTIF_ID);
        SyscallEvent event = event();
        Arch arch = event.arch();
        Decision d = Arch.byAuditArch(notif.getInt(NOTIF_DATA_ARCH)).isEmpty() ? Decision.kill("unknown arch")
                : decider.decide(event, memory.at(event.pid(), event.tid()));
        if (!idValid(id)) {
            return; // what was read may belong to another process now; the caller is gone anyway
        }
        if (arch == Arch.X86_64 && d.kind() == Decision.Kind.ALLOW && isExec(event.nr())) {
            decider.processChanged(event.pid()); // its comm and exe change with the exec
        }
        answer(id, event.pid(), d);
    }

    private SyscallEvent event() {
        int tid = notif.getInt(NOTIF_PID);
        Arch arch = Arch.byAuditArch(notif.getInt(NOTIF_DATA_ARCH)).orElse(Arch.X86_64);
        long[] args = new long[6];
        for (int i = 0; i < 6; i++) {
            args[i] = notif.getLong(NOTIF_DATA_ARGS + 8L * i);
        }
        return new SyscallEvent(++seq, System.currentTimeMillis() * 1_000_000L, ids.tgid(tid), tid, arch,
                notif.getInt(NOTIF_DATA_NR), args, notif.getLong(NOTIF_DATA_IP), SyscallEvent.Source.NOTIFY, 0);
    }

    private static boolean isExec(int nr) {
        return nr == 59 || nr == 322; // execve, execveat
    }

    private boolean idValid(long id) {
        idBuf.setLong(0, id);
        try {
            ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, Pointer.nativeValue(idBuf));
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ENOENT) {
                return false;
            }
            throw e;
        }
    }

    private void answer(long id, int pid, Decision d) {
        resp.clear();
        resp.setLong(RESP_ID, id);
        switch (d.kind()) {
            case ALLOW -> resp.setInt(RESP_FLAGS, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
            case ERRNO -> resp.setInt(RESP_ERROR, -d.errno());
            case KILL -> {
                try {
                    kill(pid, SIGKILL);
                } catch (LastErrorException e) {
                    // already gone
                }
                resp.setInt(RESP_ERROR, -ENOSYS);
            }
        }
        try {
            ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, Pointer.nativeValue(resp));
        } catch (LastErrorException e) {
            if (e.getErrorCode() != ENOENT) {
                throw e; // ENOENT: the call was interrupted or the caller died meanwhile
            }
        }
    }
}
