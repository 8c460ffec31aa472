package dev.syscage.supervise.notify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A notification names the calling thread; the audit log and kill want its process, and a
 * race-free open wants its credentials. Read from /proc/TID/status on every event: with no exit
 * events in notify mode a cache could outlive a thread id that the kernel has since given to
 * another process.
 */
final class ProcessIds {
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
        return status(tid).tgid();
    }
}
