package dev.syscage.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether this process can trace the program it starts, asked before anything is launched: trace
 * mode is the default for a policy that routes with {@code trace} (docs/notify.md, "Mode
 * selection"), and notify mode is the fallback where ptrace cannot work. Read from /proc, no call
 * made: a process has one tracer, so a syscage that is itself traced ({@code strace -f},
 * {@code gdb}) cannot seize its children; Yama's {@code ptrace_scope} 3 forbids every attach,
 * and 2 every attach without {@code CAP_SYS_PTRACE}.
 */
public record PtraceSupport(boolean usable, String reason) {
    private static final int CAP_SYS_PTRACE = 19;

    private static final class Holder {
        static final PtraceSupport READ =
                of(read("/proc/self/status").orElse(""), read("/proc/sys/kernel/yama/ptrace_scope"));
    }

    /** The answer for this JVM, read on first use. */
    public static PtraceSupport ofThisProcess() {
        return Holder.READ;
    }

    /** The answer from the text of /proc/self/status and of Yama's ptrace_scope (empty: no Yama). */
    static PtraceSupport of(String status, Optional<String> yamaScope) {
        long tracer = field(status, "TracerPid:").map(PtraceSupport::decimal).orElse(0L);
        if (tracer != 0) {
            return new PtraceSupport(
                    false,
                    "syscage is itself traced (TracerPid " + tracer
                            + ": strace -f or a debugger?), and a process has only one tracer");
        }
        long scope = yamaScope.map(String::strip).map(PtraceSupport::decimal).orElse(0L);
        if (scope >= 3) {
            return new PtraceSupport(false, "kernel.yama.ptrace_scope is " + scope + ": no process may be traced");
        }
        if (scope == 2 && !hasCapability(field(status, "CapEff:").orElse("0"), CAP_SYS_PTRACE)) {
            return new PtraceSupport(false, "kernel.yama.ptrace_scope is 2 and syscage lacks CAP_SYS_PTRACE");
        }
        return new PtraceSupport(true, "ptrace is usable");
    }

    private static Optional<String> field(String status, String name) {
        return status.lines()
                .filter(l -> l.startsWith(name))
                .map(l -> l.substring(name.length()).strip())
                .findFirst();
    }

    private static boolean hasCapability(String capEffHex, int cap) {
        try {
            return (Long.parseUnsignedLong(capEffHex, 16) >>> cap & 1) != 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static long decimal(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Optional<String> read(String file) {
        try {
            return Optional.of(Files.readString(Path.of(file)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
