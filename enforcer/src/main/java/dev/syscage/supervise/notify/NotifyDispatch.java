package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.rewrite.ViewWatch;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.NotifyDecider;
import dev.syscage.supervise.ProcTargetMemory;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.TargetMemory;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * One notification from receipt to its settled record: numbers it, asks the
 * {@link NotifyDecider}, checks {@code SECCOMP_IOCTL_NOTIF_ID_VALID} where memory was read or a
 * process is to be killed, and answers: CONTINUE, an errno, a kill, or (an allowed call a path
 * could decide) a call the supervisor makes itself ({@link RaceFreeCalls}). A call sent here only
 * for the view cache runs unnumbered and unrecorded. Owned by the supervisor thread.
 */
final class NotifyDispatch {
    private final NotifyDecider decider;
    private final ViewWatch watch;
    private final ViewCache views;
    private final ProcessIds ids;
    private final Answering answering;
    private final RaceFreeCalls calls;
    private final ProcTargetMemory memory = new ProcTargetMemory();
    /** Calls the policy routed here so far: the last sequence number. */
    private long seq;

    NotifyDispatch(
            NotifyDecider decider,
            ViewWatch watch,
            ViewCache views,
            ProcessIds ids,
            Answering answering,
            RaceFreeCalls calls) {
        this.decider = decider;
        this.watch = watch;
        this.views = views;
        this.ids = ids;
        this.answering = answering;
        this.calls = calls;
    }

    /** The calls numbered so far (here and by the native loop). */
    long calls() {
        return seq;
    }

    /** {@code n} calls were answered by the native loop: they took numbers too. */
    void counted(long n) {
        seq += n;
    }

    /** Decides and answers the notification in {@code notif}, and settles its record. */
    void dispatch(ByteBuffer notif) {
        long id = notif.getLong(NOTIF_ID);
        int caller = notif.getInt(NOTIF_PID);
        views.seen(caller); // whatever it called before has completed
        SyscallEvent event = event(notif, ids.tgid(caller));
        boolean knownArch = Arch.byAuditArch(notif.getInt(NOTIF_DATA_ARCH)).isPresent();
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
        answering.begin(out.decision());
        boolean allowed = out.decision().kind() == Decision.Kind.ALLOW;
        // an open the supervisor makes itself: read (openat2's open_how) before the check below
        boolean pathDecides = allowed && knownArch && decider.pathDecides(event.arch(), event.nr());
        Optional<OpenCall> open = pathDecides ? OpenCall.of(event, mem) : Optional.empty();
        // unlink, mkdir, rename, link, ...: made by the supervisor too, relative to the directories it checked
        Optional<PathCall> change = pathDecides && open.isEmpty() ? PathCall.of(event, mem) : Optional.empty();
        // truncate, chmod, chown, utime, xattrs: made by the supervisor on the file it checked
        Optional<InodeCall> inode =
                pathDecides && open.isEmpty() && change.isEmpty() ? InodeCall.of(event, mem) : Optional.empty();
        // what was read may belong to another process by now, and so may the pid a kill would hit
        boolean mustCheck = memory.reads() > 0 || out.decision().kind() == Decision.Kind.KILL;
        if (mustCheck && !answering.idValid(id)) {
            out.pending().settle(Decision.interrupted(out.decision()), null); // nothing is sent
            return;
        }
        if (allowed && isExec(event.arch(), event.nr())) {
            decider.processChanged(event.pid()); // its comm and exe change with the exec
        }
        boolean answered = !allowed
                ? answering.answer(id, event.pid(), out.decision())
                : open.isEmpty() && change.isEmpty() && inode.isEmpty()
                        ? answering.send(id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE)
                        : calls.allow(id, event, mem, out, open, change, inode);
        Decision sent = answering.sent();
        // a kill is done whether or not its ENOSYS reached the caller (it is gone the moment it is killed)
        boolean done = answered || sent.kind() == Decision.Kind.KILL;
        out.pending().settle(done ? sent : Decision.interrupted(sent), answered ? answering.result() : null);
    }

    /** A call the policy lets run, sent here only so that the view cache learns of it: it runs, unrecorded. */
    private void watchedOnly(long id, SyscallEvent event) {
        if (isExec(event.arch(), event.nr())) {
            decider.processChanged(event.pid());
        }
        answering.send(id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
    }

    private static SyscallEvent event(ByteBuffer notif, int pid) {
        int tid = notif.getInt(NOTIF_PID);
        Arch arch = Arch.byAuditArch(notif.getInt(NOTIF_DATA_ARCH)).orElse(Arch.X86_64);
        long[] args = new long[6];
        for (int i = 0; i < 6; i++) {
            args[i] = notif.getLong(NOTIF_DATA_ARGS + 8 * i);
        }
        return new SyscallEvent(
                0,
                SyscallEvent.wallNanosNow(),
                pid,
                tid,
                arch,
                notif.getInt(NOTIF_DATA_NR),
                args,
                notif.getLong(NOTIF_DATA_IP),
                SyscallEvent.Source.NOTIFY,
                0);
    }

    /** {@code e} with the run's next sequence number. */
    private SyscallEvent numbered(SyscallEvent e) {
        return new SyscallEvent(
                ++seq, e.wallNanos(), e.pid(), e.tid(), e.arch(), e.nr(), e.args(), e.ip(), e.source(), e.data());
    }

    static boolean isExec(Arch arch, int nr) {
        return switch (arch) {
            case X86_64 -> nr == 59 || nr == 322; // execve, execveat
            case I386 -> nr == 11 || nr == 358;
            case AARCH64 -> nr == 221 || nr == 281;
        };
    }
}
