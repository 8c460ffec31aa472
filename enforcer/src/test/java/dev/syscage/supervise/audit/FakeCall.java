package dev.syscage.supervise.audit;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.DecodedCall;
import dev.syscage.supervise.DecodedCall.DecodedArg;
import dev.syscage.supervise.SyscallContext;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.TargetMemory;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** A syscall context made of fixed values, for tests of the hooks, the audit log and the metrics. */
public final class FakeCall implements SyscallContext {
    /** 2024-05-01T12:34:56Z plus 13 ns. */
    public static final long WALL = 1_714_566_896_000_000_013L;

    public static final long AT_FDCWD = -100;
    public static final DecodedCall OPENAT_PASSWD = new DecodedCall(
            "openat",
            List.of(
                    new DecodedArg("dfd", "fd", AT_FDCWD, "AT_FDCWD"),
                    new DecodedArg("filename", "path", 0x7ffd_1234_5678L, "\"/etc/passwd\""),
                    new DecodedArg("flags", "flags", 0x80000, "O_RDONLY|O_CLOEXEC"),
                    new DecodedArg("mode", "mode", 0, "0")),
            Optional.of("/etc/passwd"),
            Optional.of("/etc/passwd"));

    private final SyscallEvent event;
    private final String name;
    private final TargetMemory memory;
    private final Supplier<DecodedCall> decoder;
    private final AtomicInteger decodes = new AtomicInteger();

    public FakeCall(SyscallEvent event, String name, TargetMemory memory, Supplier<DecodedCall> decoder) {
        this.event = event;
        this.name = name;
        this.memory = memory;
        this.decoder = decoder;
    }

    /** openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) by process {@code pid}, thread {@code tid}. */
    public static FakeCall openat(long seq, int pid, int tid) {
        SyscallEvent e = new SyscallEvent(
                seq,
                WALL,
                pid,
                tid,
                Arch.X86_64,
                257,
                new long[] {AT_FDCWD, 0x7ffd_1234_5678L, 0x80000, 0, 0, 0},
                0x401000,
                SyscallEvent.Source.TRACE,
                0);
        return new FakeCall(e, "openat", Memory.CAT, () -> OPENAT_PASSWD);
    }

    @Override
    public SyscallEvent event() {
        return event;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TargetMemory memory() {
        return memory;
    }

    @Override
    public DecodedCall decoded() {
        decodes.incrementAndGet();
        return decoder.get();
    }

    /** How many times {@link #decoded()} was asked for. */
    public int decodes() {
        return decodes.get();
    }

    /** A process whose /proc facts are fixed; reads of memory find nothing. */
    public record Memory(Optional<String> comm, Optional<String> exe, int ppid, int uid) implements TargetMemory {
        public static final Memory CAT = new Memory(Optional.of("cat"), Optional.of("/usr/bin/cat"), 1200, 1000);
        public static final Memory GONE = new Memory(Optional.empty(), Optional.empty(), -1, -1);

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
    }
}
