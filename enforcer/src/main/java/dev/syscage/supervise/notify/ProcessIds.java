package dev.syscage.supervise.notify;

import dev.syscage.nativeaccess.ProcFiles;
import dev.syscage.policy.rewrite.ViewWatch;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A notification names the calling thread; the audit log and kill want its process, and a
 * race-free open wants its credentials and its view of the filesystem. The thread group is
 * cached per thread id (reading and parsing the status file on every event cost more than the
 * rest of the event). A thread id changes process only when the thread is gone and the id
 * reused, or when a thread execs; notify mode sees neither directly. So a cached entry is
 * trusted as it is while the {@link ViewCache} says nothing that makes threads or execs has
 * happened since it was confirmed (the {@link ViewWatch} sends those calls here), and otherwise
 * confirmed with {@code tgkill(TGID, TID, 0)}, which fails (ESRCH) unless TID is a live thread
 * of TGID; then the status is read again.
 * Credentials and namespaces are read fresh each time they are asked for. Reads go through
 * {@link ProcFiles} (libc into reused buffers). Owned by the supervisor thread.
 */
final class ProcessIds {
    private static final int MAX_CACHED = 4096;
    /** A thread's process, and the view-cache epoch it was last confirmed in (-1: none). */
    private record Entry(int tgid, long epoch) {}

    private final Map<Integer, Entry> tgids = new HashMap<>();
    private final ProcFiles proc = new ProcFiles(8192);
    private final ViewCache views;

    ProcessIds(ViewCache views) {
        this.views = views;
    }

    /** {@code tid}'s status, or one that only knows {@code tid} when it is gone already. */
    Creds status(int tid) {
        int n = proc.read("/proc/" + tid + "/status");
        if (n <= 0) {
            return Creds.unknown(tid);
        }
        try {
            return Creds.parse(tid, new String(proc.bytes(), 0, n, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return Creds.unknown(tid);
        }
    }

    /** What /proc/TID/NAME (root, cwd, ns/mnt, fd/N, ...) links to, or "" when it cannot be read. */
    String link(int tid, String name) {
        return proc.readlink("/proc/" + tid + "/" + name).orElse("");
    }

    /** Whether {@code tid} is a live thread of process {@code tgid} (tgkill with signal 0). */
    static boolean inGroup(int tgid, int tid) {
        return ProcFiles.tgkill(tgid, tid, 0) == 0;
    }

    /** The thread group of {@code tid}, or {@code tid} itself when it is gone already. */
    int tgid(int tid) {
        Entry cached = tgids.get(tid);
        long stable = views.stableEpoch();
        if (cached != null && stable >= 0 && cached.epoch() == stable) {
            return cached.tgid();
        }
        if (cached != null && inGroup(cached.tgid(), tid)) {
            if (stable >= 0) {
                tgids.put(tid, new Entry(cached.tgid(), stable));
            }
            return cached.tgid();
        }
        int fresh = status(tid).tgid();
        if (tgids.size() >= MAX_CACHED) {
            tgids.clear();
        }
        tgids.put(tid, new Entry(fresh, stable));
        return fresh;
    }
}
