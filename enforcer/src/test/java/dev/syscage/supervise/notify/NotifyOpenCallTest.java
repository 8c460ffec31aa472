package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.nativeaccess.SeccompNotify;
import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.TargetMemory;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which calls the supervisor opens itself and how: flags, mode, resolve flags, refusals; and restart detection. */
class NotifyOpenCallTest {
    /** A target whose memory cannot be read. */
    private static final TargetMemory NONE = new TargetMemory() {
        public Optional<String> readString(long address, int max) {
            return Optional.empty();
        }

        public Optional<byte[]> read(long address, int length) {
            return Optional.empty();
        }

        public Optional<String> cwd() {
            return Optional.empty();
        }

        public Optional<String> fdPath(int fd) {
            return Optional.empty();
        }

        public Optional<String> comm() {
            return Optional.empty();
        }

        public Optional<String> exe() {
            return Optional.empty();
        }

        public int ppid() {
            return -1;
        }

        public int uid() {
            return -1;
        }
    };

    /** /dev as udev makes it: the standard streams and /dev/fd point into /proc/self/fd. */
    private static final java.util.Map<String, Optional<String>> DEV_LINKS =
            new java.util.HashMap<>(java.util.Map.of(
                    "/dev/stdin",
                    Optional.of("/proc/self/fd/0"),
                    "/dev/stdout",
                    Optional.of("/proc/self/fd/1"),
                    "/dev/stderr",
                    Optional.of("/proc/self/fd/2"),
                    "/dev/fd",
                    Optional.of("/proc/self/fd"))) {
                @Override
                public Optional<String> get(Object key) {
                    return getOrDefault(key, Optional.empty());
                }
            };

    private static SyscallEvent event(Arch arch, int nr, long... args) {
        long[] a = new long[6];
        System.arraycopy(args, 0, a, 0, args.length);
        return new SyscallEvent(1, 0, 10, 11, arch, nr, a, 0, SyscallEvent.Source.NOTIFY, 0);
    }

    private static OpenCall.Plan plan(SyscallEvent e, String path, String resolved, int umask) {
        return OpenCall.of(e, NONE)
                .orElseThrow()
                .plan(Optional.of(path), Optional.ofNullable(resolved), 10, 11, umask, DEV_LINKS::get);
    }

    @Test
    void openatKeepsTheFlagsAddsCloseOnExecForItsOwnCopyAndRefusesMagicLinks() {
        OpenCall.Plan p = plan(event(Arch.X86_64, 257, -100, 0, 0102 | 02000000, 0666), "x", "/tmp/d/x", 022);
        assertEquals("/tmp/d/x", p.path());
        assertEquals(0102 | 02000000, p.flags());
        assertEquals(0644, p.mode(), "the target's umask applies to the mode");
        assertTrue(p.cloexec());
        assertEquals(SeccompNotify.RESOLVE_NO_MAGICLINKS, p.resolve());
        OpenCall.Plan plain = plan(event(Arch.X86_64, 2, 0, 0, 0777), "/etc/hosts", "/etc/hosts", 0);
        assertFalse(plain.cloexec());
        assertEquals(02000000, plain.flags(), "the supervisor's own copy is always close-on-exec");
        assertEquals(0, plain.mode(), "no mode without O_CREAT (openat2 would refuse it)");
    }

    @Test
    void creatIsWriteOnlyCreateTruncateAndI386NumbersCount() {
        assertEquals(
                01 | 0100 | 01000 | 02000000,
                plan(event(Arch.X86_64, 85, 0, 0600), "f", "/tmp/f", 0).flags());
        assertEquals(0600, plan(event(Arch.I386, 8, 0, 0600), "f", "/tmp/f", 0).mode());
        assertTrue(OpenCall.of(event(Arch.I386, 295, -100, 0, 0), NONE).isPresent());
        assertTrue(OpenCall.of(event(Arch.X86_64, 4, 0, 0), NONE).isEmpty(), "stat is no open");
    }

    @Test
    void procSelfIsTheTargetsAndATrailingSlashIsKept() {
        assertEquals(
                "/proc/10/status",
                plan(event(Arch.X86_64, 2, 0, 0), "/proc/self/status", "/proc/self/status", 0)
                        .path());
        assertEquals("/proc/10/task/11/comm", OpenCall.ownProc("/proc/thread-self/comm", 10, 11));
        assertEquals("/proc/selfish", OpenCall.ownProc("/proc/selfish", 10, 11));
        assertEquals(
                "/tmp/d/",
                plan(event(Arch.X86_64, 2, 0, 0), "/tmp/d/", "/tmp/d", 0).path());
    }

    @Test
    void theTargetsOwnFdsAreReopenedThroughItsProcDirectory() {
        OpenCall.Plan stdin = plan(event(Arch.X86_64, 2, 0, 0), "/dev/stdin", "/dev/stdin", 0);
        assertEquals("/proc/10/fd/0", stdin.path());
        assertTrue(stdin.ownFile(), "its own file: no recheck of the real path");
        assertEquals(0, stdin.resolve() & SeccompNotify.RESOLVE_NO_MAGICLINKS, "fd/0 is a magic link to follow");
        assertEquals(
                "/proc/10/fd/7",
                plan(event(Arch.X86_64, 2, 0, 0), "/dev/fd/7", "/dev/fd/7", 0).path());
        assertEquals(
                "/proc/10/task/11/fd/1",
                plan(event(Arch.X86_64, 2, 0, 0), "/proc/thread-self/fd/1", "/proc/thread-self/fd/1", 0)
                        .path());

        OpenCall.Plan cwd = plan(event(Arch.X86_64, 2, 0, 0), "/proc/self/cwd/x", "/proc/self/cwd/x", 0);
        assertEquals("/proc/10/cwd/x", cwd.path());
        assertFalse(cwd.ownFile(), "a new file through the cwd link: its real path is checked again");
        assertEquals(0, cwd.resolve() & SeccompNotify.RESOLVE_NO_MAGICLINKS);
    }

    @Test
    void magicLinksElsewhereStayRefused() {
        OpenCall.Plan other = plan(event(Arch.X86_64, 2, 0, 0), "/proc/1/fd/3", "/proc/1/fd/3", 0);
        assertFalse(other.ownFile(), "another process's fd");
        assertEquals(SeccompNotify.RESOLVE_NO_MAGICLINKS, other.resolve() & SeccompNotify.RESOLVE_NO_MAGICLINKS);
        assertEquals(
                "/dev/stdin",
                OpenCall.throughDevLinks("/dev/stdin", l -> Optional.of("/dev/pts/0")),
                "a /dev/stdin that does not point into /proc/self/fd is taken as it is");
        assertEquals("/dev/fdx", OpenCall.throughDevLinks("/dev/fdx", DEV_LINKS::get));
    }

    @Test
    void whatCannotBeOpenedExactlyIsRefused() {
        assertEquals(
                SeccompNotify.EFAULT,
                OpenCall.of(event(Arch.X86_64, 2, 0, 0), NONE)
                        .orElseThrow()
                        .plan(Optional.empty(), Optional.empty(), 10, 11, 0, DEV_LINKS::get)
                        .errno());
        assertEquals(
                SeccompNotify.ENOTDIR,
                plan(event(Arch.X86_64, 257, 5, 0, 0), "x", null, 0).errno());
        assertEquals(
                SeccompNotify.ENOENT,
                plan(event(Arch.X86_64, 257, 5, 0, 0), "", null, 0).errno());
        assertEquals(
                SeccompNotify.EINVAL,
                plan(event(Arch.X86_64, 437, -100, 0, 0, 16), "x", "/tmp/x", 0).errno());
        assertEquals(
                SeccompNotify.E2BIG,
                plan(event(Arch.X86_64, 437, -100, 0, 0, 32), "x", "/tmp/x", 0).errno());
        assertEquals(
                SeccompNotify.EFAULT,
                plan(event(Arch.X86_64, 437, -100, 0, 0, 24), "x", "/tmp/x", 0).errno(),
                "open_how unreadable");
        assertEquals(
                SeccompNotify.EILSEQ,
                plan(event(Arch.X86_64, 2, 0, 0100, 0600), "/tmp/\uFFFD", "/tmp/\uFFFD", 0)
                        .errno(),
                "a name that was not UTF-8 would be created under its decoded form");
    }
}
