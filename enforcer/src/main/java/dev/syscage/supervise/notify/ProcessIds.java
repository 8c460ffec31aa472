package dev.syscage.supervise.notify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A notification names the calling thread; the audit log and kill want its process. Read from
 * /proc/TID/status on every event: with no exit events in notify mode a cache could outlive a
 * thread id that the kernel has since given to another process.
 */
final class ProcessIds {
    /** The thread group of {@code tid}, or {@code tid} itself when it is gone already. */
    int tgid(int tid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + tid + "/status"))) {
                if (line.startsWith("Tgid:")) {
                    return Integer.parseInt(line.substring(5).strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone: keep tid
        }
        return tid;
    }
}
