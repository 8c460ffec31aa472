package dev.syscage.supervise.notify;

import java.util.HashMap;
import java.util.Map;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A notification names the calling thread; the audit log and kill want its process, and a
 * race-free open wants its credentials. Credentials are read from /proc/TID/status each time
 * they are needed. The thread group is cached per thread id (reading and parsing the status
 * file on every event cost more than the rest of the event); notify mode sees no exits, so a
 * cached entry is confirmed by the existence of /proc/TGID/task/TID, which fails once the thread
 * is gone, whatever process its id went to.
 */
final class ProcessIds {
    private static final int MAX_CACHED = 4096;
    private final Map<Integer, Integer> tgids = new HashMap<>();

    /** {@code tid}'s status, or one that only knows {@code tid} when it is gone already. */
    Creds status(int tid) {
        try {
            return Creds.parse(tid, Files.readAllLines(Path.of("/proc/" + tid + "/status")));
        } catch (IOException | RuntimeException e) {
            return Creds.unknown(tid);
        }
    }

    /** The thread group of {@code tid}, or {@code tid} itself when it is gone already. */
    int tgid(int tid) {
        Integer cached = tgids.get(tid);
        if (cached != null && Files.exists(Path.of("/proc/" + cached + "/task/" + tid))) {
            return cached;
        }
        int fresh = status(tid).tgid();
        if (tgids.size() >= MAX_CACHED) {
            tgids.clear();
        }
        tgids.put(tid, fresh);
        return fresh;
    }
}
