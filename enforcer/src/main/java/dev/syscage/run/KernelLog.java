package dev.syscage.run;

import dev.syscage.nativeaccess.LinuxCLibrary;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which syscall a seccomp kill stopped, from the kernel's audit record in /dev/kmsg
 * ({@code audit: type=1326 ... pid=PID ... syscall=NR ... code=0x80000000}). Best effort: the
 * record is there when the kernel logs seccomp kills (the default) and we may read the log.
 */
public final class KernelLog {
    private static final Pattern RECORD = Pattern.compile("type=1326 .*?\\bpid=(\\d+)\\b.*?\\bsyscall=(\\d+)");

    private KernelLog() {}

    /** The syscall number in the newest seccomp record for {@code pid}, if any. */
    public static OptionalInt killedSyscall(LinuxCLibrary libc, long pid) {
        int fd = libc.open("/dev/kmsg", LinuxCLibrary.O_RDONLY | LinuxCLibrary.O_NONBLOCK | LinuxCLibrary.O_CLOEXEC);
        if (fd < 0) {
            return OptionalInt.empty();
        }
        try {
            OptionalInt found = OptionalInt.empty();
            byte[] buf = new byte[8192];
            for (int records = 0; records < 1_000_000; records++) {
                long n = libc.read(fd, buf, buf.length);
                if (n < 0) {
                    int e = libc.errno();
                    if (e == LinuxCLibrary.EINTR || e == 32 /* EPIPE: record overwritten, go on */) {
                        continue;
                    }
                    break; // EAGAIN: end of the log
                }
                if (n == 0) {
                    break;
                }
                Matcher m = RECORD.matcher(new String(buf, 0, (int) n, StandardCharsets.UTF_8));
                if (m.find() && Long.parseLong(m.group(1)) == pid) {
                    found = OptionalInt.of(Integer.parseInt(m.group(2)));
                }
            }
            return found;
        } finally {
            libc.close(fd);
        }
    }
}
