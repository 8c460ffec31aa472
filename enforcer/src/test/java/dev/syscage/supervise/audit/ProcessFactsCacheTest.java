package dev.syscage.supervise.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.TargetMemory;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When the process facts are read from /proc again, and when they are not. */
class ProcessFactsCacheTest {
    private final AtomicLong clock = new AtomicLong();
    private final ProcessFactsCache cache = new ProcessFactsCache(100, clock::get);
    private final AtomicInteger reads = new AtomicInteger();

    /** A call whose memory answers "readN" as comm on the Nth read. */
    private FakeCall call(String name, int pid, int tid) {
        SyscallEvent e = new SyscallEvent(1, 0, pid, tid, Arch.X86_64, 0, new long[6], 0, SyscallEvent.Source.TRACE, 0);
        return new FakeCall(e, name, new CountingMemory(), () -> FakeCall.OPENAT_PASSWD);
    }

    private final class CountingMemory implements TargetMemory {
        @Override
        public Optional<String> readString(long address, int max) {
            return Optional.empty();
        }

        @Override
        public Optional<byte[]> read(long address, int length) {
            return Optional.empty();
        }

        @Override
        public Optional<String> cwd() {
            return Optional.empty();
        }

        @Override
        public Optional<String> fdPath(int fd) {
            return Optional.empty();
        }

        @Override
        public Optional<String> comm() {
            return Optional.of("read" + reads.incrementAndGet());
        }

        @Override
        public Optional<String> exe() {
            return Optional.of("/bin/x");
        }

        @Override
        public int ppid() {
            return 1;
        }

        @Override
        public int uid() {
            return 0;
        }
    }

    private String comm(String name, int pid, int tid) {
        return cache.of(call(name, pid, tid)).comm();
    }

    @Test
    void freshFactsAreReusedPerThread() {
        assertEquals("read1", comm("openat", 10, 10));
        clock.set(99);
        assertEquals("read1", comm("openat", 10, 10));
        assertEquals("read2", comm("openat", 10, 11), "another thread has its own comm");
        clock.set(100);
        assertEquals("read3", comm("openat", 10, 10), "too old");
    }

    @Test
    void anExecveIsLoggedWithTheOldFactsAndTheNextEventReadsNewOnes() {
        assertEquals("read1", comm("openat", 10, 10));
        assertEquals("read1", comm("execve", 10, 10));
        assertEquals("read2", comm("openat", 10, 10));
        assertEquals("read2", comm("prctl", 10, 10));
        assertEquals("read3", comm("openat", 10, 10));
    }

    @Test
    void forgettingAProcessDropsAllItsThreads() {
        comm("openat", 10, 10);
        comm("openat", 10, 11);
        comm("openat", 20, 20);
        cache.forget(10);
        assertEquals(1, cache.size());
        assertEquals("read4", comm("openat", 10, 11));
        assertEquals("read3", comm("openat", 20, 20));
    }

    @Test
    void aThreadIdReusedByAnotherProcessIsReadAgain() {
        assertEquals("read1", comm("openat", 10, 12));
        assertEquals("read2", comm("openat", 30, 12));
    }
}
