package dev.syscage.policy.lint;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * On i386, socketcall(2) and ipc(2) make the socket and System V IPC calls with their
 * arguments in memory, where BPF cannot read them: socketcall(SYS_SOCKET, {AF_VSOCK, ...}) does
 * what socket(AF_VSOCK, ...) does, past any rule on socket. So when a policy restricts one of
 * the calls a multiplexer can make (a rule with a condition, or a denial) but lets the
 * multiplexer through, the restriction can be walked around. The direct calls exist on i386
 * since Linux 4.3 (sockets) and 5.1 (IPC); denying the multiplexer with ENOSYS costs only the
 * i386 programs whose libc still uses it.
 */
final class MultiplexerLint {
    /** Each multiplexer and the calls it makes, by their direct names (socketcall(2), ipc(2)). */
    static final Map<String, List<String>> MULTIPLEXED = Map.of(
            "socketcall",
                    List.of(
                            "socket",
                            "bind",
                            "connect",
                            "listen",
                            "accept",
                            "getsockname",
                            "getpeername",
                            "socketpair",
                            "send",
                            "recv",
                            "sendto",
                            "recvfrom",
                            "shutdown",
                            "setsockopt",
                            "getsockopt",
                            "sendmsg",
                            "recvmsg",
                            "accept4",
                            "recvmmsg",
                            "sendmmsg"),
            "ipc",
                    List.of(
                            "semop",
                            "semget",
                            "semctl",
                            "semtimedop",
                            "msgsnd",
                            "msgrcv",
                            "msgget",
                            "msgctl",
                            "shmat",
                            "shmdt",
                            "shmget",
                            "shmctl"));

    private MultiplexerLint() {}

    static void check(Policy policy, Diagnostics d) {
        Optional<ArchPolicy> i386 = policy.forArch(Arch.I386);
        if (i386.isEmpty()) {
            return;
        }
        for (String mux : List.of("socketcall", "ipc")) {
            Optional<Reach> m = Reach.of(i386.get(), mux);
            if (m.isEmpty() || m.get().always(Reach::denies)) {
                continue;
            }
            List<String> restricted = new ArrayList<>();
            for (String call : MULTIPLEXED.get(mux)) {
                Reach.of(i386.get(), call).filter(r -> !r.always(Reach::runs)).ifPresent(r -> restricted.add(call));
            }
            if (!restricted.isEmpty()) {
                Reach.Step through = m.get().first(a -> !Reach.denies(a)).orElseThrow();
                d.warning(
                        through.rule().pos(),
                        "policy restricts " + PolicyLint.names(restricted, 4)
                                + " on i386 but lets " + mux + " through, which makes the same calls with arguments in"
                                + " memory, out of BPF's reach: deny " + mux + " (errno ENOSYS)");
            }
        }
    }
}
