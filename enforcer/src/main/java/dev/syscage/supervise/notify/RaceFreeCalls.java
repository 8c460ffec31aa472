package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import dev.syscage.nativeaccess.ProcFiles;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.NotifyDecider;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.TargetMemory;
import java.util.List;
import java.util.Optional;

/**
 * The calls the notify supervisor makes itself for the program, so that the file the program
 * reaches is the one the rules saw: an open ({@link OpenCall}, injected with ADDFD), a call that
 * adds or removes a name ({@link PathCall}), a change to a file ({@link InodeCall}). Each runs
 * only for a target with the supervisor's rights and view of the filesystem, checks the real path
 * of what it opened against the rules again where it differs, and answers through
 * {@link Answering}. Since the policy's {@code filesystem:} section is enforced by Landlock in the
 * kernel (docs/notify.md), these remain for what Landlock cannot say: supervise rules and hooks
 * that decide on a path, and an audit record naming exactly the file opened. Owned by the
 * supervisor thread.
 */
final class RaceFreeCalls {
    private final Answering answering;
    private final FdInjector injector;
    private final FifoOpens fifos;
    private final ViewCache views;
    private final ProcessIds ids;
    private final ProcFiles proc = new ProcFiles(256);
    private final Creds self;
    private final String ownRoot;
    private final String ownMountNs;
    private final String ownUserNs;

    RaceFreeCalls(Answering answering, FdInjector injector, FifoOpens fifos, ViewCache views, ProcessIds ids) {
        this.answering = answering;
        this.injector = injector;
        this.fifos = fifos;
        this.views = views;
        this.ids = ids;
        this.self = Creds.self();
        this.ownRoot = ownLink("root");
        this.ownMountNs = ownLink("ns/mnt");
        this.ownUserNs = ownLink("ns/user");
    }

    private String ownLink(String name) {
        return proc.readlink("/proc/self/" + name)
                .orElseThrow(() -> new IllegalStateException("cannot read /proc/self/" + name));
    }

    /**
     * An allowed call a path could decide, which the supervisor makes itself so the file the
     * target reaches is the one the rules saw: an open ({@code call}, see {@link OpenCall},
     * {@link FdInjector}), a change to the tree ({@code change}) or to a file ({@code inode});
     * exactly one is present. False when the notification went away first.
     */
    boolean allow(
            long id,
            SyscallEvent e,
            TargetMemory mem,
            NotifyDecider.Outcome out,
            Optional<OpenCall> call,
            Optional<PathCall> change,
            Optional<InodeCall> inode) {
        // the open is made with our rights on its behalf: they must be its own
        ViewCache.Entry known = views.get(e.tid());
        Creds creds = known != null ? known.creds() : ids.status(e.tid());
        boolean sameView = known != null ? known.sameView() : sameView(e.tid());
        if (known == null) {
            views.put(e.tid(), creds, sameView);
        }
        if (!creds.sameRightsAs(self) || !sameView) {
            // it must not open with rights or a view it does not have
            return answering.answer(id, e.pid(), Decision.errno(EACCES, "rights or view other than syscage's"));
        }
        if (inode.isPresent()) {
            return changeInode(id, e, out, inode.get(), creds.umask());
        }
        if (change.isPresent()) {
            return change(
                    id,
                    e,
                    out.pending(),
                    change.get(),
                    change.get().plan(out.path(), out.resolvedPath(), out.otherPaths(), out.otherResolvedPaths()),
                    creds.umask());
        }
        OpenCall.Plan plan =
                call.get().plan(out.path(), out.resolvedPath(), e.pid(), e.tid(), creds.umask(), proc::readlink);
        if (plan.errno() != 0) {
            return answering.send(id, -plan.errno(), 0);
        }
        // checked before it is opened for real: O_CREAT and O_TRUNC must not act through a symlink first
        RaceFreeOpen.Result opened = new RaceFreeOpen(
                        injector, real -> out.pending().recheck(real, null), () -> answering.idValid(id))
                .open(call.get(), plan);
        if (opened.gone()) {
            return false; // the call went away before the file was opened: nothing was made for it
        }
        if (opened.refused() != null) {
            return answering.answer(id, e.pid(), opened.refused());
        }
        if (opened.fifo()) {
            // the other end may be opened by another routed call: this thread must go on answering
            int err = fifos.open(
                    id, opened.fd(), plan.flags() & ~(OpenCall.O_CREAT | OpenCall.O_NOFOLLOW), plan.cloexec());
            return err == 0 || answering.send(id, -err, 0);
        }
        int fd = opened.fd();
        if (fd < 0) {
            return answering.send(id, fd, 0); // the target's own open would have failed the same way
        }
        try {
            int got = injector.inject(id, fd, plan.cloexec());
            if (got >= 0) {
                answering.injected(got); // its number in the program
                return true;
            }
            return got != -ENOENT && answering.send(id, got, 0);
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
    private boolean change(
            long id, SyscallEvent e, NotifyDecider.Pending mem, PathCall call, PathCall.Plan plan, int umask) {
        if (plan.errno() != 0) {
            return answering.send(id, -plan.errno(), 0);
        }
        boolean follow = call.op() == PathCall.Op.LINK && (call.flags() & AT_SYMLINK_FOLLOW) != 0;
        // the first path's parent, or (a link that follows) the file its source leads to; the second's parent
        int[] fds = {-1, -1};
        try {
            fds[0] = follow
                    ? injector.openFollowing(plan.first().path())
                    : injector.openDirectory(plan.first().parent());
            if (fds[0] < 0) {
                return answering.send(id, fds[0], 0); // the program's own call would have failed the same way
            }
            if (plan.second() != null) {
                fds[1] = injector.openDirectory(plan.second().parent());
                if (fds[1] < 0) {
                    return answering.send(id, fds[1], 0);
                }
            }
            Decision again = recheckChange(e, mem, plan, fds, follow);
            if (again.kind() != Decision.Kind.ALLOW) {
                return answering.answer(id, e.pid(), again);
            }
            if (!answering.idValid(id)) {
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
                case LINK ->
                    follow
                            ? injector.linkat(AT_FDCWD, FdInjector.selfFd(fds[0]), fds[1], b.last(), AT_SYMLINK_FOLLOW)
                            : injector.linkat(fds[0], a.last(), fds[1], b.last(), 0);
            };
            return answering.send(id, Math.min(r, 0), 0);
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
            return answering.send(id, -err, 0);
        }
        OpenCall how = call.open();
        OpenCall.Plan plan = how.plan(out.path(), out.resolvedPath(), e.pid(), e.tid(), umask, proc::readlink);
        if (plan.errno() != 0) {
            return answering.send(id, -plan.errno(), 0);
        }
        int fd = injector.open(plan);
        if (fd < 0) {
            return answering.send(id, fd, 0);
        }
        try {
            Decision again = recheck(out.pending(), plan, fd);
            if (again.kind() != Decision.Kind.ALLOW) {
                return answering.answer(id, e.pid(), again);
            }
            if (!answering.idValid(id)) {
                return false; // the call is gone: change nothing for it
            }
            int r = switch (call.op()) {
                case TRUNCATE -> injector.truncateVia(fd, call.length());
                case CHMOD ->
                    !call.follow() && injector.isSymlink(fd) ? -EOPNOTSUPP : injector.chmodVia(fd, (int) call.mode());
                case CHOWN -> injector.chownVia(fd, call.uid(), call.gid());
                case UTIMES -> injector.utimesVia(fd, call.times());
                case SETXATTR -> injector.setxattrVia(fd, call.name(), call.value(), call.length());
                case REMOVEXATTR -> injector.removexattrVia(fd, call.name());
            };
            return answering.send(id, Math.min(r, 0), 0);
        } finally {
            FdInjector.closeQuietly(fd);
        }
    }

    /**
     * Allow when what was opened (the parent directories, or a followed link's source) is where
     * the rules were asked about; otherwise what the rules say about the real paths.
     */
    private Decision recheckChange(
            SyscallEvent e, NotifyDecider.Pending mem, PathCall.Plan plan, int[] fds, boolean follow) {
        Optional<String> real1 = injector.realPath(fds[0]);
        Optional<String> dir2 = fds[1] >= 0 ? injector.realPath(fds[1]) : Optional.empty();
        if (real1.isEmpty() || (fds[1] >= 0 && dir2.isEmpty())) {
            return Decision.errno(EACCES, "real path unknown");
        }
        String first = follow
                ? real1.get()
                : PathCall.Target.join(real1.get(), plan.first().name());
        boolean same = first.equals(plan.first().path())
                && (plan.second() == null || dir2.get().equals(plan.second().parent()));
        if (same) {
            return Decision.allow("");
        }
        List<Optional<String>> others = plan.second() == null
                ? List.of()
                : List.of(Optional.of(
                        PathCall.Target.join(dir2.get(), plan.second().name())));
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
        return ids.link(tid, "root").equals(ownRoot)
                && ids.link(tid, "ns/mnt").equals(ownMountNs)
                && ids.link(tid, "ns/user").equals(ownUserNs);
    }
}
