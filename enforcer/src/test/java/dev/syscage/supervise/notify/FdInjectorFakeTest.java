package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.nativeaccess.FileCalls;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * FdInjector without a kernel: ADDFD through a fake listener (answered in one step with
 * SECCOMP_ADDFD_FLAG_SEND, close-on-exec as asked, an EINTR asked again, the errno otherwise),
 * and the file calls through fake ones (truncate as the kernel does it: EISDIR, EINVAL, or the
 * file reopened for writing and truncated).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FdInjectorFakeTest {
    private final FakeSeccompListener listener = new FakeSeccompListener();

    @Test
    void injectAnswersWithTheNumberTheProgramGot() {
        FdInjector injector = new FdInjector(listener, LandlockDomain.NONE, new Files(0));
        listener.addFdResults.put(4L, new ArrayDeque<>(List.of(5)));
        assertEquals(5, injector.inject(4, 17, true));
        assertEquals(
                List.of(new FakeSeccompListener.Added(4, 17, (int) OpenCall.O_CLOEXEC, SECCOMP_ADDFD_FLAG_SEND)),
                listener.added);
        assertEquals(3, injector.inject(6, 18, false));
        assertEquals(new FakeSeccompListener.Added(6, 18, 0, SECCOMP_ADDFD_FLAG_SEND), listener.added.get(1));
    }

    @Test
    void injectAsksAgainAfterASignalAndReportsOtherErrors() {
        FdInjector injector = new FdInjector(listener, LandlockDomain.NONE, new Files(0));
        listener.addFdResults.put(1L, new ArrayDeque<>(List.of(-EINTR, -EINTR, 9)));
        assertEquals(9, injector.inject(1, 20, false));
        assertEquals(3, listener.added.size(), "asked again until not interrupted");
        listener.addFdResults.put(2L, new ArrayDeque<>(List.of(-ENOENT)));
        assertEquals(-ENOENT, injector.inject(2, 20, false), "the call went away");
        listener.addFdResults.put(3L, new ArrayDeque<>(List.of(-24)));
        assertEquals(-24, injector.inject(3, 20, false), "EMFILE: the program's fd table is full");
    }

    @Test
    void truncateFollowsTheKernelsRulesForTheFileType() {
        Files dir = new Files(FdInjector.S_IFDIR);
        assertEquals(-EISDIR, new FdInjector(listener, LandlockDomain.NONE, dir).truncateVia(30, 0));
        Files fifo = new Files(FdInjector.S_IFIFO);
        assertEquals(-EINVAL, new FdInjector(listener, LandlockDomain.NONE, fifo).truncateVia(30, 0));
        assertEquals(List.of(), dir.calls);
        Files file = new Files(FdInjector.S_IFREG);
        assertEquals(0, new FdInjector(listener, LandlockDomain.NONE, file).truncateVia(30, 100));
        assertEquals(
                List.of("openat -100 /proc/self/fd/30 " + (01 | OpenCall.O_CLOEXEC), "ftruncate 31 100", "close 31"),
                file.calls);
    }

    /** File calls that report {@code type} for every descriptor and remember the rest. */
    private static final class Files implements FileCalls {
        final List<String> calls = new ArrayList<>();
        private final int type;

        Files(int type) {
            this.type = type;
        }

        @Override
        public int fileType(int fd) {
            return type;
        }

        @Override
        public int openat(int dirfd, String path, long flags, long mode) {
            calls.add("openat " + dirfd + " " + path + " " + flags);
            return 31;
        }

        @Override
        public int ftruncate(int fd, long length) {
            calls.add("ftruncate " + fd + " " + length);
            return 0;
        }

        @Override
        public int close(int fd) {
            calls.add("close " + fd);
            return 0;
        }

        @Override
        public int openat2(int dirfd, String path, long flags, long mode, long resolve) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int unlinkat(int dirfd, String path, long flags) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int mkdirat(int dirfd, String path, int mode) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int mknodat(int dirfd, String path, int mode, long dev) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int symlinkat(String target, int dirfd, String path) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int renameat2(int olddirfd, String oldpath, int newdirfd, String newpath, long flags) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int linkat(int olddirfd, String oldpath, int newdirfd, String newpath, long flags) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int fchmodat(int dirfd, String path, int mode) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int fchownat(int dirfd, String path, int uid, int gid, int flags) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int utimensat(int dirfd, String path, long[] times) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int setxattr(String path, String name, byte[] value, long flags) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int removexattr(String path, String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int setStatusFlags(int fd, long flags) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<String> readlinkat(int dirfd, String path) {
            throw new UnsupportedOperationException();
        }
    }
}
