package dev.syscage.supervise.notify;

import dev.syscage.supervise.SyscallEvent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Calls whose notification went away before it was answered (SEND or ADDFD said ENOENT, or
 * ID_VALID failed): a signal interrupted the caller, which restarts the call after its handler
 * (SA_RESTART, or the kernel's own restart) and is notified again with a new id. A notification
 * from the same thread with the same syscall number and the same six argument registers is taken
 * to be that restart, so the audit log can keep it as one event. Bounded: a thread that never
 * comes back does not hold an entry for long.
 */
final class Unanswered {
    private static final int MAX = 1024;

    private record Entry(int nr, long[] args, NotifyDecider.Outcome outcome) {
    }

    private final Map<Integer, Entry> byTid = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Entry> eldest) {
            return size() > MAX;
        }
    };

    void add(SyscallEvent e, NotifyDecider.Outcome outcome) {
        byTid.put(e.tid(), new Entry(e.nr(), e.args(), outcome));
    }

    /** The outcome of the interrupted call {@code e} restarts, or null; either way the entry is used up. */
    NotifyDecider.Outcome resentOf(SyscallEvent e) {
        if (byTid.isEmpty()) {
            return null;
        }
        Entry prior = byTid.remove(e.tid());
        return prior != null && prior.nr() == e.nr() && Arrays.equals(prior.args(), e.args()) ? prior.outcome() : null;
    }
}
