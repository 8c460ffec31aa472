package dev.syscage.supervise.notify;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The supervisor's own processes in {@code /proc}: the JVM (any of its threads) and its children
 * (the launcher, which kills the program's tree when the JVM dies). A file there that the
 * supervisor opens or changes for the program would be reached with the JVM's standing towards
 * them, not the program's: the kernel lets a thread group into its own {@code /proc/PID/mem}
 * whatever Yama says, and Yama's {@code ptrace_scope} 1 lets a parent into its children. So
 * such a real path is refused, whatever the rules say.
 */
final class SupervisorProcs {
    private static final Pattern PROC_PID = Pattern.compile("/proc/(\\d+)(/.*)?");
    private static final long SELF = ProcessHandle.current().pid();

    private SupervisorProcs() {}

    /** Whether {@code realPath} is in the {@code /proc} directory of the JVM, one of its threads, or a child of it. */
    static boolean owns(String realPath) {
        Matcher m = PROC_PID.matcher(realPath);
        if (!m.matches()) {
            return false;
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return false;
        }
        if (n == SELF || Files.exists(Path.of("/proc/" + SELF + "/task/" + n))) {
            return true;
        }
        Optional<ProcessHandle> parent = ProcessHandle.of(n).flatMap(ProcessHandle::parent);
        return parent.isPresent() && parent.get().pid() == SELF;
    }
}
