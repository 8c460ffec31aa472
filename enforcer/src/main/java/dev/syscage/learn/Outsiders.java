package dev.syscage.learn;

import static dev.syscage.learn.FsRecorder.arg;

import dev.syscage.supervise.SyscallContext;
import dev.syscage.supervise.SyscallEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What a learned program reached outside its own process tree, which Landlock's scopes would cut
 * off: a signal to a process that is neither the program nor one of its descendants
 * ({@code scope: signal}), and a connect or send to an abstract UNIX socket the program did not
 * bind itself ({@code scope: abstract-unix-socket}). Noted in the {@link Footprint}; the learned
 * profile then leaves that scope out.
 */
final class Outsiders {
    private static final int AF_UNIX = 1;
    private static final int SOCKADDR_UN_MAX = 110; // sizeof(struct sockaddr_un)
    private static final int MAX_HOPS = 64;

    private final Footprint.Builder footprint;
    /** Every pid and tid the program's calls came from. */
    private final Set<Integer> program = new HashSet<>();

    private final Set<String> boundAbstract = new HashSet<>();

    Outsiders(Footprint.Builder footprint) {
        this.footprint = footprint;
    }

    void seen(SyscallEvent e) {
        program.add(e.pid());
        program.add(e.tid());
    }

    void record(SyscallContext call) {
        switch (call.name()) {
            case "connect" -> reach(call, arg(call, "uservaddr"), arg(call, "addrlen"));
            case "sendto" -> reach(call, arg(call, "addr"), arg(call, "addr_len"));
            case "sendmsg" -> sendmsg(call);
            case "kill", "tkill", "rt_sigqueueinfo" -> signal(arg(call, "pid"));
            case "tgkill", "rt_tgsigqueueinfo" -> signal(arg(call, "tgid"));
            case "pidfd_send_signal" -> pidfdSignal(call);
            default -> {}
        }
    }

    /** A bind: an abstract name becomes the program's own. Whether it was a UNIX socket path (a file is made). */
    boolean bind(SyscallContext call) {
        Optional<byte[]> addr = sockaddr(call, arg(call, "umyaddr"), arg(call, "addrlen"));
        if (addr.isPresent() && isAbstract(addr.get())) {
            boundAbstract.add(abstractName(addr.get()));
            return false;
        }
        return addr.isPresent() && isUnix(addr.get());
    }

    /** A connect or send to {@code address}: outside the program when abstract and not bound by it. */
    private void reach(SyscallContext call, OptionalLong address, OptionalLong length) {
        sockaddr(call, address, length)
                .filter(Outsiders::isAbstract)
                .filter(a -> !boundAbstract.contains(abstractName(a)))
                .ifPresent(a -> footprint.abstractOutside());
    }

    /** sendmsg's {@code msg_name}: the first pointer of struct msghdr, then its length (64-bit layouts only). */
    private void sendmsg(SyscallContext call) {
        OptionalLong msg = arg(call, "msg");
        if (msg.isEmpty() || call.arch().registerBits() != 64) {
            return;
        }
        call.memory().read(msg.getAsLong(), 12).ifPresent(b -> {
            ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
            reach(call, OptionalLong.of(h.getLong(0)), OptionalLong.of(Integer.toUnsignedLong(h.getInt(8))));
        });
    }

    /** kill(2)'s pid: -1 is every process, below that a process group (its leader's pid), 0 the caller's group. */
    private void signal(OptionalLong target) {
        if (target.isEmpty()) {
            return;
        }
        long pid = target.getAsLong();
        if (pid == -1 || (pid < -1 && !program.contains((int) -pid)) || (pid > 0 && !inside((int) pid))) {
            footprint.signalsOutside();
        }
    }

    /** The pid behind a pidfd, from /proc/PID/fdinfo/N ("Pid:"); outside when it cannot be told. */
    private void pidfdSignal(SyscallContext call) {
        OptionalLong fd = arg(call, "pidfd");
        int target = -1;
        if (fd.isPresent()) {
            target = field("/proc/" + call.event().pid() + "/fdinfo/" + fd.getAsLong(), "Pid:")
                    .orElse(-1);
        }
        if (target <= 0 || !inside(target)) {
            footprint.signalsOutside();
        }
    }

    /**
     * Whether {@code pid} is the program's or a descendant of it. A process that is not there
     * cannot be reached either way (ESRCH): inside.
     */
    private boolean inside(int pid) {
        int p = pid;
        for (int hops = 0; hops < MAX_HOPS && p > 1; hops++) {
            if (program.contains(p)) {
                return true;
            }
            Optional<Integer> parent = field("/proc/" + p + "/status", "PPid:");
            if (parent.isEmpty()) {
                return hops == 0;
            }
            p = parent.get();
        }
        return false;
    }

    /** A number after {@code key} in a /proc file of "Key:\tvalue" lines; empty when the process is gone. */
    private static Optional<Integer> field(String file, String key) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                if (line.startsWith(key)) {
                    return Optional.of(
                            Integer.parseInt(line.substring(key.length()).strip()));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not a pidfd
        }
        return Optional.empty();
    }

    private static Optional<byte[]> sockaddr(SyscallContext call, OptionalLong address, OptionalLong length) {
        if (address.isEmpty() || length.isEmpty() || address.getAsLong() == 0) {
            return Optional.empty();
        }
        int n = (int) Math.min(Math.max(length.getAsLong(), 0), SOCKADDR_UN_MAX);
        return n < 2 ? Optional.empty() : call.memory().read(address.getAsLong(), n);
    }

    /** sa_family is AF_UNIX, in the host's byte order. */
    private static boolean isUnix(byte[] a) {
        return a.length >= 2
                && ByteBuffer.wrap(a).order(ByteOrder.nativeOrder()).getShort(0) == AF_UNIX;
    }

    private static boolean isAbstract(byte[] a) {
        return isUnix(a) && a.length > 2 && a[2] == 0;
    }

    private static String abstractName(byte[] a) {
        return new String(a, 3, a.length - 3, StandardCharsets.ISO_8859_1);
    }
}
