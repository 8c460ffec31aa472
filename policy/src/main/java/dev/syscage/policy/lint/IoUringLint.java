package dev.syscage.policy.lint;

import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * io_uring runs file and network operations (IORING_OP_OPENAT, _CONNECT, _SOCKET, _UNLINKAT,
 * ...) in the kernel on the program's behalf, without the syscalls seccomp filters: a rule
 * restricting openat or connect does not apply to them. So when io_uring_setup gets through
 * while any syscall io_uring can stand in for is restricted (not allowed for all arguments),
 * the restriction can be walked around. The remedy is to deny io_uring_setup (errno ENOSYS:
 * programs fall back to ordinary syscalls), and io_uring_enter if a ring could be inherited.
 *
 * <p>The list holds the file and network syscalls with an io_uring opcode (kernel 6.x,
 * include/uapi/linux/io_uring.h); process, memory and wait operations (futex, waitid, madvise,
 * poll) are left out, restricting them is rarely what keeps a program in its box.
 */
final class IoUringLint {
    static final List<String> STANDS_IN_FOR = List.of(
            // files
            "open",
            "openat",
            "openat2",
            "creat",
            "read",
            "write",
            "readv",
            "writev",
            "pread64",
            "pwrite64",
            "preadv",
            "pwritev",
            "preadv2",
            "pwritev2",
            "statx",
            "fallocate",
            "ftruncate",
            "rename",
            "renameat",
            "renameat2",
            "unlink",
            "unlinkat",
            "rmdir",
            "mkdir",
            "mkdirat",
            "symlink",
            "symlinkat",
            "link",
            "linkat",
            "setxattr",
            "fsetxattr",
            "getxattr",
            "fgetxattr",
            "splice",
            "tee",
            // network
            "socket",
            "connect",
            "accept",
            "accept4",
            "bind",
            "listen",
            "sendto",
            "recvfrom",
            "sendmsg",
            "recvmsg",
            "shutdown");

    private IoUringLint() {}

    static void check(Policy policy, Diagnostics d) {
        for (ArchPolicy ap : policy.arches()) {
            Optional<Reach> setup = Reach.of(ap, "io_uring_setup");
            if (setup.isEmpty() || setup.get().always(Reach::denies)) {
                continue;
            }
            List<String> restricted = new ArrayList<>();
            for (String call : STANDS_IN_FOR) {
                Reach.of(ap, call).filter(r -> !r.always(Reach::runs)).ifPresent(r -> restricted.add(call));
            }
            if (!restricted.isEmpty()) {
                Reach.Step through = setup.get().first(a -> !Reach.denies(a)).orElseThrow();
                d.warning(
                        through.rule().pos(),
                        "policy lets io_uring_setup through" + PolicyLint.onArch(policy, ap.arch())
                                + " but restricts " + PolicyLint.names(restricted, 4) + ": io_uring performs opens and"
                                + " connects without syscalls, out of seccomp's reach: deny io_uring_setup (errno ENOSYS)");
            }
        }
    }
}
