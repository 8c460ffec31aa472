package dev.syscage.supervise.notify;

import dev.syscage.policy.rewrite.ViewWatch;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * What the supervisor remembers about a thread between race-free opens: its credentials and
 * whether it sees the filesystem as the supervisor does. Sound only together with a
 * {@link ViewWatch}, whose watched calls are the only ways these can change:
 *
 * <ul>
 *   <li>a watched call arriving ({@link #changing}) starts a new epoch: everything remembered
 *       before is forgotten;</li>
 *   <li>until the thread that made it is seen again ({@link #seen}: its next notification, so
 *       the watched call has completed) or is gone, nothing new is remembered: a read made while
 *       the call may still be running could be stale right after.</li>
 * </ul>
 * Owned by the supervisor thread.
 */
final class ViewCache {
    private static final int MAX_ENTRIES = 4096;

    /** What was read about a thread, and in which epoch. */
    record Entry(long epoch, Creds creds, boolean sameView) {}

    private final boolean enabled;
    private final Map<Integer, Entry> entries = new HashMap<>();
    /** Threads with a watched call that may not have completed: tid to its process. */
    private final Map<Integer, Integer> pending = new HashMap<>();

    private long epoch;

    ViewCache(boolean enabled) {
        this.enabled = enabled;
    }

    /** A notification from {@code tid}: whatever it called before has completed. */
    void seen(int tid) {
        if (!pending.isEmpty()) {
            pending.remove(tid);
        }
    }

    /** {@code tid} (of process {@code tgid}) makes a watched call: forget everything. */
    void changing(int tid, int tgid) {
        epoch++;
        entries.clear();
        pending.put(tid, tgid);
    }

    /**
     * The current epoch when what is remembered in it can be trusted (a watch is in force and no
     * watched call is in flight), else -1.
     */
    long stableEpoch() {
        return enabled && settled() ? epoch : -1;
    }

    /** What is remembered about {@code tid} in this epoch, or null (read it again). */
    Entry get(int tid) {
        if (!enabled || !settled()) {
            return null;
        }
        Entry e = entries.get(tid);
        return e != null && e.epoch() == epoch ? e : null;
    }

    /** Remembers a fresh read, when nothing can be changing it. */
    void put(int tid, Creds creds, boolean sameView) {
        if (!enabled || !creds.known() || !settled()) {
            return;
        }
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(tid, new Entry(epoch, creds, sameView));
    }

    /** No watched call in flight: pending threads that are gone have completed theirs. */
    private boolean settled() {
        for (Iterator<Map.Entry<Integer, Integer>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Integer> p = it.next();
            if (!ProcessIds.inGroup(p.getValue(), p.getKey())) {
                it.remove();
            }
        }
        return pending.isEmpty();
    }
}
