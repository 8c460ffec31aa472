package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.syscage.nativeaccess.NotifyFastPath;
import dev.syscage.nativeaccess.ProcFiles;
import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.Decider;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.NotifyDecider;
import dev.syscage.supervise.ProcTargetMemory;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.TargetMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

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
 */
public final class NotifySupervisor implements Runnable {
    private static final int POLL_MS = 200;
    /** Calls the native loop answers before it returns, so that counters and stop requests stay current. */
    private static final int NATIVE_BATCH = 4096;

    private final int listener;
    private final NotifyDecider decider;
    private final FdInjector injector;
    /** Where the calls the supervisor makes for the program run: in an equal Landlock domain, or here. */
    private final LandlockDomain domain;
    /** The call being answered: the decision sent so far, and what the program got where it was a value. */
    private Decision sent;
    private Long result;
    private Creds self;
    private final CompletableFuture<Long> finished = new CompletableFuture<>();
    private final ProcTargetMemory memory = new ProcTargetMemory();
    private final ProcessIds ids;
    private final ViewWatch watch;
    private final ViewCache views;
    private final Memory pollFd = new Memory(8);
    private Memory notif;
    private ByteBuffer notifView;
    /** SEND and ID_VALID, with their buffers. */
    private Replies replies;
    /** FIFO opens, which may block: on threads of their own. */
    private FifoOpens fifos;
    private final ProcFiles proc = new ProcFiles(256);
    private volatile boolean stopping;
    private boolean blockingRecv;
    private String ownRoot;
    private String ownMountNs;
    private String ownUserNs;
    private long seq;
    private final Optional<NotifyFastPath> fastPath;
    /** Non-null when the native loop answers the calls it can. */
    private FixedAnswers fixed;

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
    public NotifySupervisor(int listener, NotifyDecider decider, ViewWatch watch,
            Optional<NotifyFastPath> fastPath) {
        this(listener, decider, watch, fastPath, LandlockDomain.NONE);
    }

    /**
     * @param domain the program's Landlock domain, in which the calls the supervisor makes on its
     *     behalf run ({@link FdInjector}, {@link FifoOpens}), so that a supervise rule cannot let
     *     it reach what the domain forbids; {@link LandlockDomain#NONE} where the program has none.
     *     This supervisor does not close it
     */
    public NotifySupervisor(int listener, NotifyDecider decider, ViewWatch watch,
            Optional<NotifyFastPath> fastPath, LandlockDomain domain) {
        this.fastPath = fastPath;
        this.listener = listener;
        this.decider = decider;
        this.domain = domain;
        this.injector = new FdInjector(listener, domain);
        this.watch = watch;
        this.views = new ViewCache(watch.caches());
        this.ids = new ProcessIds(views);
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
     * ends within {@value #POLL_MS} ms.
     */
    public void stop() {
        stopping = true;
        finished.complete(seq);
    }

    @Override
    public void run() {
        try {
            NotifSizes sizes = NotifSizes.query();
            notif = new Memory(Math.max(sizes.notif(), NOTIF_SIZE));
            replies = new Replies(listener, sizes.resp());
            fifos = new FifoOpens(listener, sizes.resp(), domain);
            // a view of the same native memory: reading it costs no JNI call
            notifView = notif.getByteBuffer(0, notif.size()).order(ByteOrder.nativeOrder());
            // -Dsyscage.notify.poll=true: wait as on kernels before 6.6 (diagnostics, and the test of that path)
            blockingRecv = syncWakeUp() && !Boolean.getBoolean("syscage.notify.poll");
            if (blockingRecv && fastPath.isPresent()
                    && Boolean.parseBoolean(System.getProperty("syscage.notify.fastpath", "true"))) {
                fixed = FixedAnswers.of(decider, watch).orElse(null);
            }
            self = Creds.self();
            ownRoot = ownLink("root");
            ownMountNs = ownLink("ns/mnt");
            ownUserNs = ownLink("ns/user");
            if (blockingRecv) {
                receiveLoop();
            } else {
                pollLoop();
            }
            finished.complete(seq);
        } catch (RuntimeException | Error e) {
            finished.completeExceptionally(e);
            throw e;
        }
    }

    private String ownLink(String name) {
        return proc.readlink("/proc/self/" + name)
                .orElseThrow(() -> new IllegalStateException("cannot read /proc/self/" + name));
    }

    /**
     * SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6+): wake this thread on the caller's CPU.
     * False on older kernels (EINVAL/ENOTTY): slower per event, same behaviour.
     */
    private boolean syncWakeUp() {
        try {
            ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
            return true;
        } catch (LastErrorException e) {
            return false;
        }
    }

    /** Linux 6.6+: RECV waits; its ENOENT with a hung-up listener means no process is left. */
    private void receiveLoop() {
        while (!stopping) {
            if (!receive()) {
                if (hungUp()) {
                    return;
                }
                continue;
            }
            answer();
        }
    }

    private boolean hungUp() {
        try {
            return (pollListener(0) & POLLHUP) != 0;
        } catch (LastErrorException e) {
            return false;
        }
    }

    private void pollLoop() {
        while (!stopping) {
            int revents = pollListener(POLL_MS);
            if ((revents & POLLIN) != 0) {
                if (receive()) {
                    answer();
                }
            } else if ((revents & POLLHUP) != 0) {
                return;
            }
        }
    }

    /** poll(2) on the listener for POLLIN: the events it reports, 0 after a timeout or EINTR. */
    private int pollListener(int timeoutMs) {
        pollFd.setInt(0, listener);
        pollFd.setShort(4, POLLIN);
        pollFd.setShort(6, (short) 0);
        try {
            return poll(Pointer.nativeValue(pollFd), 1, timeoutMs) > 0 ? pollFd.getShort(6) : 0;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EINTR) {
                return 0;
            }
            throw e;
        }
    }

    /**
     * RECV into the zeroed buffer; false when there was nothing (interrupted, or the caller died
     * first). With the native loop, the calls it answers never come back here.
     */
    private boolean receive() {
        if (fixed != null) {
            return receiveNatively();
        }
        Replies.zero(notifView); // the kernel insists on a zeroed buffer
        try {
            ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, Pointer.nativeValue(notif));
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EINTR || e.getErrorCode() == ENOENT) {
                return false;
            }
            throw e;
        }
    }

    /**
     * The native loop's RECV: the calls it answers itself never come back here, and their counts
     * are published after each return.
     */
    private boolean receiveNatively() {
        while (true) {
            int r = fastPath.get().next(listener, Pointer.nativeValue(notif), notif.size(), fixed.address(), NATIVE_BATCH);
            seq += fixed.publish();
            if (r == NotifyFastPath.ASK) {
                return true;
            }
            if (r == NotifyFastPath.BATCH) {
                if (stopping) {
                    return false;
                }
                continue;
            }
            if (r == -EINTR || r == -ENOENT) {
                return false;
            }
            throw new LastErrorException(-r);
        }
    }

    private void answer() {
        long id = notifView.getLong(NOTIF_ID);
        int caller = notifView.getInt(NOTIF_PID);
        views.seen(caller); // whatever it called before has completed
        SyscallEvent event = event(ids.tgid(caller));
        boolean knownArch = Arch.byAuditArch(notifView.getInt(NOTIF_DATA_ARCH)).isPresent();
        if (knownArch && watch.watched(event.arch(), event.nr())) {
            views.changing(caller, event.pid());
            if (!watch.policyRoutes(event.arch(), event.nr(), event.args())) {
                watchedOnly(id, event);
                return;
            }
        }
        event = numbered(event); // a call the policy routes: the next number (watched-only calls take none)
        TargetMemory mem = memory.at(event.pid(), event.tid());
        NotifyDecider.Outcome out = !knownArch
                ? new NotifyDecider.Outcome(Decision.kill("unknown arch"), Optional.empty(), Optional.empty())
                : decider.outcome(event, mem);
        sent = out.decision();
        result = null;
        boolean allowed = out.decision().kind() == Decision.Kind.ALLOW;
        // an open the supervisor makes itself: read (openat2's open_how) before the check below
        boolean pathDecides = allowed && knownArch && decider.pathDecides(event.arch(), event.nr());
        Optional<OpenCall> open = pathDecides ? OpenCall.of(event, mem) : Optional.empty();
        // unlink, mkdir, rename, link, ...: made by the supervisor too, relative to the directories it checked
        Optional<PathCall> change = pathDecides && open.isEmpty() ? PathCall.of(event, mem) : Optional.empty();
        // truncate, chmod, chown, utime, xattrs: made by the supervisor on the file it checked
        Optional<InodeCall> inode = pathDecides && open.isEmpty() && change.isEmpty() ? InodeCall.of(event, mem)
                : Optional.empty();
        // what was read may belong to another process by now, and so may the pid a kill would hit
        boolean mustCheck = memory.reads() > 0 || out.decision().kind() == Decision.Kind.KILL;
        if (mustCheck && !idValid(id)) {
            out.pending().settle(Decision.interrupted(out.decision()), null); // nothing is sent
            return;
        }
        if (allowed && isExec(event.arch(), event.nr())) {
            decider.processChanged(event.pid()); // its comm and exe change with the exec
        }
        boolean answered = allowed ? allow(id, event, mem, out, open, change, inode)
                : answer(id, event.pid(), out.decision());
        // a kill is done whether or not its ENOSYS reached the caller (it is gone the moment it is killed)
        boolean done = answered || sent.kind() == Decision.Kind.KILL;
        out.pending().settle(done ? sent : Decision.interrupted(sent), answered ? result : null);
    }

    /** A call the policy lets run, sent here only so that the view cache learns of it: it runs, unrecorded. */
    private void watchedOnly(long id, SyscallEvent event) {
        if (isExec(event.arch(), event.nr())) {
            decider.processChanged(event.pid());
        }
        send(id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
    }

    /**
     * An allowed call: CONTINUE, unless it is an open a path could decide ({@code call}), which
     * the supervisor makes itself so the file the target gets is the one the rules saw (see
     * {@link OpenCall}, {@link FdInjector}).
     */
    private boolean allow(long id, SyscallEvent e, TargetMemory mem, NotifyDecider.Outcome out,
            Optional<OpenCall> call, Optional<PathCall> change, Optional<InodeCall> inode) {
        if (call.isEmpty() && change.isEmpty() && inode.isEmpty()) {
            return send(id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
        }
        // the open is made with our rights on its behalf: they must be its own
        ViewCache.Entry known = views.get(e.tid());
        Creds creds = known != null ? known.creds() : ids.status(e.tid());
        boolean sameView = known != null ? known.sameView() : sameView(e.tid());
        if (known == null) {
            views.put(e.tid(), creds, sameView);
        }
        if (!creds.sameRightsAs(self) || !sameView) {
            // it must not open with rights or a view it does not have
            return answer(id, e.pid(), Decision.errno(EACCES, "rights or view other than syscage's"));
        }
        if (inode.isPresent()) {
            return changeInode(id, e, out, inode.get(), creds.umask());
        }
        if (change.isPresent()) {
            return change(id, e, out.pending(), change.get(),
                    change.get().plan(out.path(), out.resolvedPath(), out.otherPaths(), out.otherResolvedPaths()),
                    creds.umask());
        }
        OpenCall.Plan plan = call.get().plan(out.path(), out.resolvedPath(), e.pid(), e.tid(), creds.umask(),
                proc::readlink);
        if (plan.errno() != 0) {
            return send(id, -plan.errno(), 0);
        }
        // checked before it is opened for real: O_CREAT and O_TRUNC must not act through a symlink first
        RaceFreeOpen.Result opened = new RaceFreeOpen(injector, real -> out.pending().recheck(real, null), () -> idValid(id))
                .open(call.get(), plan);
        if (opened.gone()) {
            return false; // the call went away before the file was opened: nothing was made for it
        }
        if (opened.refused() != null) {
            return answer(id, e.pid(), opened.refused());
        }
        if (opened.fifo()) {
            // the other end may be opened by another routed call: this thread must go on answering
            int err = fifos.open(id, opened.fd(), plan.flags() & ~(OpenCall.O_CREAT | OpenCall.O_NOFOLLOW), plan.cloexec());
            return err == 0 || send(id, -err, 0);
        }
        int fd = opened.fd();
        if (fd < 0) {
            return send(id, fd, 0); // the target's own open would have failed the same way
        }
        try {
            int got = injector.inject(id, fd, plan.cloexec());
            if (got >= 0) {
                result = (long) got; // its number in the program
                return true;
            }
            return got != -ENOENT && send(id, got, 0);
        } finally {
            FdInjector.closeQuietly(fd);
        }
    }

    /**
     * A change to the file tree made by the supervisor ({@link PathCall}): the parent directory of
     * each path the rules saw is opened ({@code O_PATH}, no magic links), their real paths are
     * checked against the rules when they differ (a symlink on the way), and the call is made
     * relative to those descriptors. A link that follows a symlink names the file the symlink
     * leads to: that file's real path is checked too. The call's result is the program's.
     */
    private boolean change(long id, SyscallEvent e, NotifyDecider.Pending mem, PathCall call, PathCall.Plan plan,
            int umask) {
        if (plan.errno() != 0) {
            return send(id, -plan.errno(), 0);
        }
        boolean follow = call.op() == PathCall.Op.LINK && (call.flags() & AT_SYMLINK_FOLLOW) != 0;
        // the first path's parent, or (a link that follows) the file its source leads to; the second's parent
        int[] fds = {-1, -1};
        try {
            fds[0] = follow ? injector.openFollowing(plan.first().path()) : injector.openDirectory(plan.first().parent());
            if (fds[0] < 0) {
                return send(id, fds[0], 0); // the program's own call would have failed the same way
            }
            if (plan.second() != null) {
                fds[1] = injector.openDirectory(plan.second().parent());
                if (fds[1] < 0) {
                    return send(id, fds[1], 0);
                }
            }
            Decision again = recheckChange(e, mem, plan, fds, follow);
            if (again.kind() != Decision.Kind.ALLOW) {
                return answer(id, e.pid(), again);
            }
            if (!idValid(id)) {
                return false; // the call is gone (its thread died or it was interrupted): make nothing for it
            }
            PathCall.Target a = plan.first();
            PathCall.Target b = plan.second();
            int r = switch (call.op()) {
                case UNLINK -> injector.unlinkat(fds[0], a.last(), call.flags());
                case MKDIR -> injector.mkdirat(fds[0], a.last(), call.createMode(umask));
                case MKNOD -> injector.mknodat(fds[0], a.last(), call.createMode(umask), call.dev());
                case SYMLINK -> injector.symlinkat(call.text(), fds[0], a.last());
                case RENAME -> injector.renameat2(fds[0], a.last(), fds[1], b.last(), call.flags());
                case LINK -> follow
                        ? injector.linkat(AT_FDCWD, FdInjector.selfFd(fds[0]), fds[1], b.last(), AT_SYMLINK_FOLLOW)
                        : injector.linkat(fds[0], a.last(), fds[1], b.last(), 0);
            };
            return send(id, Math.min(r, 0), 0);
        } finally {
            for (int fd : fds) {
                if (fd >= 0) {
                    FdInjector.closeQuietly(fd);
                }
            }
        }
    }

    /**
     * A truncate, chmod or chown made by the supervisor ({@link InodeCall}): the file the rules
     * saw is opened {@code O_PATH} (following the last symlink or not, as the call does; magic
     * links only in the program's own {@code /proc/PID}, as for opens), its real path is checked
     * like an open's, and it is changed through that descriptor. The call's result is the program's.
     */
    private boolean changeInode(long id, SyscallEvent e, NotifyDecider.Outcome out, InodeCall call, int umask) {
        int err = call.errnoFor(out.path());
        if (err != 0) {
            return send(id, -err, 0);
        }
        OpenCall how = call.open();
        OpenCall.Plan plan = how.plan(out.path(), out.resolvedPath(), e.pid(), e.tid(), umask, proc::readlink);
        if (plan.errno() != 0) {
            return send(id, -plan.errno(), 0);
        }
        int fd = injector.open(plan);
        if (fd < 0) {
            return send(id, fd, 0);
        }
        try {
            Decision again = recheck(out.pending(), plan, fd);
            if (again.kind() != Decision.Kind.ALLOW) {
                return answer(id, e.pid(), again);
            }
            if (!idValid(id)) {
                return false; // the call is gone: change nothing for it
            }
            int r = switch (call.op()) {
                case TRUNCATE -> injector.truncateVia(fd, call.length());
                case CHMOD -> !call.follow() && injector.isSymlink(fd) ? -EOPNOTSUPP
                        : injector.chmodVia(fd, (int) call.mode());
                case CHOWN -> injector.chownVia(fd, call.uid(), call.gid());
                case UTIMES -> injector.utimesVia(fd, call.times());
                case SETXATTR -> injector.setxattrVia(fd, call.name(), call.value(), call.length());
                case REMOVEXATTR -> injector.removexattrVia(fd, call.name());
            };
            return send(id, Math.min(r, 0), 0);
        } finally {
            FdInjector.closeQuietly(fd);
        }
    }

    /**
     * Allow when what was opened (the parent directories, or a followed link's source) is where
     * the rules were asked about; otherwise what the rules say about the real paths.
     */
    private Decision recheckChange(SyscallEvent e, NotifyDecider.Pending mem, PathCall.Plan plan, int[] fds,
            boolean follow) {
        Optional<String> real1 = injector.realPath(fds[0]);
        Optional<String> dir2 = fds[1] >= 0 ? injector.realPath(fds[1]) : Optional.empty();
        if (real1.isEmpty() || (fds[1] >= 0 && dir2.isEmpty())) {
            return Decision.errno(EACCES, "real path unknown");
        }
        String first = follow ? real1.get() : PathCall.Target.join(real1.get(), plan.first().name());
        boolean same = first.equals(plan.first().path())
                && (plan.second() == null || dir2.get().equals(plan.second().parent()));
        if (same) {
            return Decision.allow("");
        }
        List<Optional<String>> others = plan.second() == null ? List.of()
                : List.of(Optional.of(PathCall.Target.join(dir2.get(), plan.second().name())));
        return mem.recheck(first, others);
    }

    /** What the rules say about what {@code fd} (the O_PATH lookup of {@code plan}) really is: as for opens. */
    private Decision recheck(NotifyDecider.Pending call, OpenCall.Plan plan, int fd) {
        return new RaceFreeOpen(injector, real -> call.recheck(real, null), () -> true)
                .check(fd, plan.path(), 0, plan.ownFile());
    }

    /**
     * The target sees the same root, mount namespace and user namespace as the supervisor, so a
     * path means the same file and its credentials mean the same rights.
     */
    private boolean sameView(int tid) {
        return ids.link(tid, "root").equals(ownRoot) && ids.link(tid, "ns/mnt").equals(ownMountNs)
                && ids.link(tid, "ns/user").equals(ownUserNs);
    }

    private SyscallEvent event(int pid) {
        int tid = notifView.getInt(NOTIF_PID);
        Arch arch = Arch.byAuditArch(notifView.getInt(NOTIF_DATA_ARCH)).orElse(Arch.X86_64);
        long[] args = new long[6];
        for (int i = 0; i < 6; i++) {
            args[i] = notifView.getLong(NOTIF_DATA_ARGS + 8 * i);
        }
        return new SyscallEvent(0, SyscallEvent.wallNanosNow(), pid, tid, arch,
                notifView.getInt(NOTIF_DATA_NR), args, notifView.getLong(NOTIF_DATA_IP), SyscallEvent.Source.NOTIFY, 0);
    }

    /** {@code e} with the run's next sequence number. */
    private SyscallEvent numbered(SyscallEvent e) {
        return new SyscallEvent(++seq, e.wallNanos(), e.pid(), e.tid(), e.arch(), e.nr(), e.args(), e.ip(), e.source(),
                e.data());
    }

    static boolean isExec(Arch arch, int nr) {
        return switch (arch) {
            case X86_64 -> nr == 59 || nr == 322; // execve, execveat
            case I386 -> nr == 11 || nr == 358;
            case AARCH64 -> nr == 221 || nr == 281;
        };
    }


    private boolean idValid(long id) {
        return replies.idValid(id);
    }

    /** Sends {@code d}; false when the notification was gone (ENOENT). */
    private boolean answer(long id, int pid, Decision d) {
        sent = d;
        return switch (d.kind()) {
            case ALLOW -> send(id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
            case ERRNO -> send(id, -d.errno(), 0);
            case KILL -> {
                try {
                    kill(pid, SIGKILL);
                } catch (LastErrorException e) {
                    // already gone
                }
                boolean answered = send(id, -ENOSYS, 0);
                result = null; // the process is being killed: it gets nothing back
                yield answered;
            }
            case INTERRUPTED -> throw new IllegalArgumentException("not an answer: " + d);
        };
    }

    /**
     * SECCOMP_IOCTL_NOTIF_SEND; false when the call was interrupted or the caller died meanwhile.
     * Keeps what the program got, where it is a value ({@code error}: 0 or -errno) and not the
     * kernel's own run of the call (CONTINUE).
     */
    private boolean send(long id, int error, int flags) {
        boolean answered = replies.send(id, error, flags);
        if (answered) {
            result = (flags & SECCOMP_USER_NOTIF_FLAG_CONTINUE) != 0 ? null : (long) error;
        }
        return answered;
    }
}
