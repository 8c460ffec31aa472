package dev.syscage.supervise.notify;

import dev.syscage.nativeaccess.NotifyFastPath;
import dev.syscage.nativeaccess.SeccompListener;
import dev.syscage.policy.rewrite.ViewWatch;
import dev.syscage.supervise.Decider;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.NotifyDecider;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The user-notification side of the supervisor: one platform thread owns the seccomp listener
 * fd, receives each notification into a zeroed buffer, asks the same {@link Decider}
 * as trace mode (so rules, audit log, hooks and metrics are shared), and answers:
 *
 * <ul>
 *   <li>allow, for an open (open, creat, openat, openat2) whose decision may depend on its path
 *       ({@link NotifyDecider#pathDecides}: a path rule or a hook covers it): the supervisor
 *       opens the path the rules matched itself ({@code openat2}, same flags and mode, no magic links), checks the
 *       real path of what it got against the rules again when it differs (a symlink), and
 *       injects the fd with {@code SECCOMP_IOCTL_NOTIF_ADDFD} + {@code SECCOMP_ADDFD_FLAG_SEND}:
 *       the kernel never reads the path again, so another thread changing it cannot matter.
 *       Only when the target has the supervisor's credentials and view of the filesystem
 *       ({@link Creds}), else EACCES;</li>
 *   <li>allow, an unlink, rmdir, mkdir, mknod, symlink, rename or link (and their *at forms) a
 *       path could decide: the supervisor makes the call itself relative to the parent
 *       directories the rules saw, after checking their real paths ({@link PathCall});</li>
 *   <li>allow, a truncate, chmod or chown a path could decide: the supervisor opens the file
 *       {@code O_PATH}, checks its real path and changes it through that descriptor
 *       ({@link InodeCall});</li>
 *   <li>allow, any other call (and an open no path can change the answer for):
 *       {@code SECCOMP_USER_NOTIF_FLAG_CONTINUE}: the kernel runs the call as the target asked,
 *       reading its arguments again (see docs/notify.md for why that is acceptable for the calls
 *       routed today);</li>
 *   <li>errno: the call does not run and fails with that errno;</li>
 *   <li>kill: SIGKILL to the process, then an ENOSYS answer in case it is not gone yet.</li>
 * </ul>
 * Memory read while deciding (the path is read only when an audit record, a hook or a race-free
 * open needs it) is trusted only if {@code SECCOMP_IOCTL_NOTIF_ID_VALID} still holds afterwards
 * (the thread could have died and its pid been reused); if not, nothing is sent. The same check
 * comes before a kill. A call decided on its registers alone needs none. An
 * ENOENT from RECV, SEND or ADDFD means the call was interrupted or the target died: nothing to
 * answer. Each notification is settled once its answer is final ({@link NotifyDecider.Pending}):
 * with the decision sent (a second look at a real path included) and the result where the
 * supervisor made the call, or as {@link Decision#interrupted} when the call went away first; a
 * call the kernel restarts after that comes back as a new notification with a record of its own.
 * The loop ends when the listener reports POLLHUP: no process uses the filter any more.
 *
 * <p>When the program runs in a Landlock domain, the calls the supervisor makes for it with
 * effects Landlock checks (the opens, the calls that add or remove names, truncate) run on
 * threads of an equal domain ({@link LandlockDomain}; see {@link FdInjector} for which part runs
 * where), so a supervise rule cannot let the program reach what its domain forbids.
 *
 * <p>Where the kernel has {@code SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP} (Linux 6.6+) the thread
 * waits in RECV itself: the kernel then wakes it on the caller's CPU and hands the CPU back on
 * SEND, and RECV also returns (ENOENT) once no process uses the filter. Older kernels wake a
 * RECV only for a notification, so there the thread polls, which also notices the hang-up.
 *
 * <p>This class starts the thread and builds its parts: {@link NotifyReceiver} (the receive
 * loop), {@link NotifyDispatch} (each notification from decision to record), {@link RaceFreeCalls}
 * (the calls made for the program) and {@link Answering} (SEND, ID_VALID, kill).
 */
public final class NotifySupervisor implements Runnable {
    /** Makes the supervisor thread's handle on the listener, on that thread. */
    private final Supplier<SeccompListener> listener;

    private final NotifyDecider decider;
    private final ViewWatch watch;
    /** Where the calls the supervisor makes for the program run: in an equal Landlock domain, or here. */
    private final LandlockDomain domain;

    private final Optional<NotifyFastPath> fastPath;
    private final CompletableFuture<Long> finished = new CompletableFuture<>();
    private volatile boolean stopping;
    /** Set once the thread has started; read by {@link #stop} from other threads. */
    private volatile NotifyDispatch dispatch;

    /** @param listener the seccomp listener fd; this supervisor does not close it */
    public NotifySupervisor(int listener, NotifyDecider decider) {
        this(listener, decider, ViewWatch.NONE);
    }

    /**
     * @param watch the calls the filter sends here only so that what is remembered about a
     *     thread between race-free opens stays true ({@link ViewWatch#NONE}: nothing remembered)
     */
    public NotifySupervisor(int listener, NotifyDecider decider, ViewWatch watch) {
        this(listener, decider, watch, Optional.empty());
    }

    /**
     * @param fastPath the native receive loop, to answer the calls the policy fixes by number
     *     without entering the JVM (Linux 6.6+, where the thread waits in RECV; unless
     *     {@code -Dsyscage.notify.fastpath=false})
     */
    public NotifySupervisor(int listener, NotifyDecider decider, ViewWatch watch, Optional<NotifyFastPath> fastPath) {
        this(listener, decider, watch, fastPath, LandlockDomain.NONE);
    }

    /**
     * @param domain the program's Landlock domain, in which the calls the supervisor makes on its
     *     behalf run ({@link FdInjector}, {@link FifoOpens}), so that a supervise rule cannot let
     *     it reach what the domain forbids; {@link LandlockDomain#NONE} where the program has none.
     *     This supervisor does not close it
     */
    public NotifySupervisor(
            int listener,
            NotifyDecider decider,
            ViewWatch watch,
            Optional<NotifyFastPath> fastPath,
            LandlockDomain domain) {
        this(() -> SeccompListener.of(listener), decider, watch, fastPath, domain);
    }

    /** On {@code listener} (a fake in tests): the rest as above. */
    NotifySupervisor(
            Supplier<SeccompListener> listener,
            NotifyDecider decider,
            ViewWatch watch,
            Optional<NotifyFastPath> fastPath,
            LandlockDomain domain) {
        this.listener = listener;
        this.fastPath = fastPath;
        this.decider = decider;
        this.domain = domain;
        this.watch = watch;
    }

    /** Starts the supervisor on its own platform thread. */
    public Thread start() {
        Thread t = new Thread(this, "syscage-notify");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Completes, once no process uses the filter, with the number of calls the policy routed here
     * (numbered and decided; calls received only for the view cache are not counted).
     */
    public CompletableFuture<Long> finished() {
        return finished;
    }

    /**
     * Ends the run even if the listener never hangs up (a process escaped the launcher's tree):
     * {@link #finished} completes now with the count so far. A thread waiting in RECV stays there
     * until a notification arrives or the last process using the filter is gone; a polling one
     * ends within {@value NotifyReceiver#POLL_MS} ms.
     */
    public void stop() {
        stopping = true;
        finished.complete(calls());
    }

    private long calls() {
        NotifyDispatch d = dispatch;
        return d == null ? 0 : d.calls();
    }

    @Override
    public void run() {
        try {
            SeccompListener l = listener.get();
            ViewCache views = new ViewCache(watch.caches());
            ProcessIds ids = new ProcessIds(views);
            Answering answering = new Answering(l);
            RaceFreeCalls calls =
                    new RaceFreeCalls(answering, new FdInjector(l, domain), new FifoOpens(l, domain), views, ids);
            NotifyDispatch d = new NotifyDispatch(decider, watch, views, ids, answering, calls);
            dispatch = d;
            // -Dsyscage.notify.poll=true: wait as on kernels before 6.6 (diagnostics, and the test of that path)
            boolean blockingRecv = NotifyReceiver.syncWakeUp(l) && !Boolean.getBoolean("syscage.notify.poll");
            FixedAnswers fixed = null;
            if (blockingRecv
                    && fastPath.isPresent()
                    && Boolean.parseBoolean(System.getProperty("syscage.notify.fastpath", "true"))) {
                fixed = FixedAnswers.of(decider, watch).orElse(null);
            }
            NotifyReceiver receiver = new NotifyReceiver(l, blockingRecv, fastPath, fixed, () -> stopping, d::counted);
            receiver.loop(() -> d.dispatch(receiver.notification()));
            finished.complete(d.calls());
        } catch (RuntimeException | Error e) {
            finished.completeExceptionally(e);
            throw e;
        }
    }
}
