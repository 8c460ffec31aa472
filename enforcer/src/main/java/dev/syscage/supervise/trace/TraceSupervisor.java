package dev.syscage.supervise.trace;

import static dev.syscage.nativeaccess.Ptrace.*;

import dev.syscage.nativeaccess.Ptrace;
import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.Decider;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.ProcTargetMemory;
import dev.syscage.supervise.SyscallEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SynchronousQueue;

/**
 * The ptrace side of the supervisor. ptrace belongs to a thread, so one dedicated platform
 * thread does everything: it seizes the target (EXITKILL, TRACESECCOMP, TRACEFORK/VFORK/CLONE,
 * TRACEEXEC: children are seized too, and all die if this process dies), then waits for stops
 * with {@code waitpid(-1, __WALL|__WNOTHREAD)} — only its own tracees, never the children the
 * JDK reaps — and answers each:
 *
 * <ul>
 *   <li>seccomp stop (a {@code trace} rule): read the call with PTRACE_GET_SYSCALL_INFO, ask
 *       the {@link Decider}, then continue it, or skip it (syscall number -1) with -errno as
 *       its return value, or skip it and SIGKILL the process;</li>
 *   <li>group-stop (SIGSTOP, SIGTSTP, ...): PTRACE_LISTEN, so the process stays stopped until
 *       SIGCONT as it would untraced;</li>
 *   <li>signal-delivery stop: continue with the signal re-injected;</li>
 *   <li>fork/clone/exec events and new tracees' first stops: continue.</li>
 * </ul>
 * The loop ends when no tracee is left (ECHILD). The calls go through {@link Ptrace}, the
 * kernel's unless a test gives a fake.
 */
public final class TraceSupervisor implements Runnable {
    private static final int OPTIONS = PTRACE_O_EXITKILL
            | PTRACE_O_TRACESECCOMP
            | PTRACE_O_TRACEFORK
            | PTRACE_O_TRACEVFORK
            | PTRACE_O_TRACECLONE
            | PTRACE_O_TRACEEXEC;

    private final Decider decider;
    private final java.util.function.Supplier<Ptrace> ptraceOnThread;
    /** The supervisor thread's: made on it. */
    private Ptrace sys;

    private final CompletableFuture<Integer> threadId = new CompletableFuture<>();
    private final SynchronousQueue<Integer> target = new SynchronousQueue<>();
    private final CompletableFuture<Void> seized = new CompletableFuture<>();
    private final CompletableFuture<Long> finished = new CompletableFuture<>();
    private final ProcTargetMemory memory;
    private final Map<Integer, Integer> tgids = new HashMap<>();
    private final int[] status = new int[1];
    private long seq;

    public TraceSupervisor(Decider decider) {
        this(decider, Ptrace::create, new ProcTargetMemory());
    }

    /**
     * @param ptrace makes the supervisor thread's {@link Ptrace}, on that thread
     * @param memory where the tracees' memory is read
     */
    public TraceSupervisor(Decider decider, java.util.function.Supplier<Ptrace> ptrace, ProcTargetMemory memory) {
        this.decider = decider;
        this.ptraceOnThread = ptrace;
        this.memory = memory;
    }

    /** Starts the supervisor on its own platform thread. */
    public Thread start() {
        Thread t = new Thread(this, "syscage-trace");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The supervisor thread's id: the launcher checks that its tracer is this thread. */
    public int threadId() throws Exception {
        return threadId.get();
    }

    /** Seize {@code pid} (blocks until done; throws if PTRACE_SEIZE failed). */
    public void seize(int pid) throws Exception {
        target.put(pid);
        seized.get();
    }

    /** Completes with the number of events handled when no tracee is left. */
    public CompletableFuture<Long> finished() {
        return finished;
    }

    @Override
    public void run() {
        sys = ptraceOnThread.get();
        threadId.complete(sys.gettid());
        int pid;
        try {
            pid = target.take();
            long r = sys.ptrace(PTRACE_SEIZE, pid, 0, OPTIONS);
            if (r < 0) {
                throw new IllegalStateException("ptrace(PTRACE_SEIZE, " + pid + "): errno " + -r);
            }
            tgids.put(pid, pid);
            seized.complete(null);
        } catch (InterruptedException | IllegalStateException e) {
            seized.completeExceptionally(e);
            finished.completeExceptionally(e);
            return;
        }
        try {
            loop();
            finished.complete(seq);
        } catch (RuntimeException | Error e) {
            finished.completeExceptionally(e);
            throw e;
        }
    }

    private void loop() {
        while (true) {
            int tid = sys.waitpid(-1, status, __WALL | __WNOTHREAD);
            if (tid == -EINTR) {
                continue;
            }
            if (tid == -ECHILD) {
                return;
            }
            if (tid < 0) {
                throw new IllegalStateException("waitpid: errno " + -tid);
            }
            int s = status[0];
            if ((s & 0xff) != 0x7f) {
                Integer pid = tgids.remove(tid); // exited or killed
                decider.processChanged(pid == null ? tid : pid);
                continue;
            }
            stopped(tid, (s >> 8) & 0xff, (s >> 16) & 0xff);
        }
    }

    /** Answers one stop; a tracee that died under us (SIGKILL, ESRCH) has its exit reported next. */
    private void stopped(int tid, int sig, int event) {
        long r = switch (event) {
            case PTRACE_EVENT_SECCOMP -> seccompStop(tid);
            case PTRACE_EVENT_STOP -> {
                boolean groupStop = sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
                yield sys.ptrace(groupStop ? PTRACE_LISTEN : PTRACE_CONT, tid, 0, 0);
            }
            case 0 -> sys.ptrace(PTRACE_CONT, tid, 0, sig); // signal-delivery stop: re-inject
            case PTRACE_EVENT_EXEC -> {
                // a multi-threaded exec: the thread that called it now has the leader's id
                decider.processChanged(tgid(tid));
                yield sys.ptrace(PTRACE_CONT, tid, 0, 0);
            }
            default -> sys.ptrace(PTRACE_CONT, tid, 0, 0); // fork, vfork, clone, exec
        };
        if (r < 0 && r != -ESRCH) {
            throw new IllegalStateException("ptrace on " + tid + ": errno " + -r);
        }
    }

    /** A seccomp stop: decided, then continued, skipped with -errno, or skipped and killed. The last call's result. */
    private long seccompStop(int tid) {
        long got = sys.getSyscallInfo(tid);
        if (got < 0) {
            return got;
        }
        ByteBuffer info = sys.syscallInfo();
        if (info.get(0) != PTRACE_SYSCALL_INFO_SECCOMP) {
            return sys.ptrace(PTRACE_CONT, tid, 0, 0);
        }
        long wall = SyscallEvent.wallNanosNow();
        Arch arch = Arch.byAuditArch(info.getInt(4)).orElse(null);
        long[] args = new long[6];
        for (int i = 0; i < 6; i++) {
            args[i] = info.getLong(32 + 8 * i);
        }
        int pid = tgid(tid);
        SyscallEvent e = new SyscallEvent(
                ++seq,
                wall,
                pid,
                tid,
                arch == null ? Arch.X86_64 : arch,
                (int) info.getLong(24),
                args,
                info.getLong(8),
                SyscallEvent.Source.TRACE,
                info.getInt(80) & 0xffff);
        Decision d = arch == null ? Decision.kill("unknown arch") : decider.decide(e, memory.at(pid, tid));
        return switch (d.kind()) {
            case ALLOW -> sys.ptrace(PTRACE_CONT, tid, 0, 0);
            case ERRNO -> {
                long r = skip(tid, -d.errno());
                yield r < 0 ? r : sys.ptrace(PTRACE_CONT, tid, 0, 0);
            }
            case KILL -> {
                long r = skip(tid, -38);
                if (r < 0) {
                    yield r;
                }
                sys.kill(pid, SIGKILL);
                yield sys.ptrace(PTRACE_CONT, tid, 0, 0);
            }
            case INTERRUPTED -> throw new IllegalStateException("not a decision: " + d);
        };
    }

    /** The syscall does not run (number -1) and returns {@code ret}: 0, or -errno. */
    private long skip(int tid, long ret) {
        long r = sys.ptrace(PTRACE_POKEUSER, tid, X86_64_ORIG_RAX, -1);
        return r < 0 ? r : sys.ptrace(PTRACE_POKEUSER, tid, X86_64_RAX, ret);
    }

    private int tgid(int tid) {
        Integer known = tgids.get(tid);
        if (known != null) {
            return known;
        }
        int tgid = tid;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + tid + "/status"))) {
                if (line.startsWith("Tgid:")) {
                    tgid = Integer.parseInt(line.substring(5).strip());
                    break;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone already: keep tid
        }
        tgids.put(tid, tgid);
        return tgid;
    }
}
