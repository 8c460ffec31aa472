package dev.syscage.supervise;

import dev.syscage.nativeaccess.ProcessVm;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A stopped thread's memory through process_vm_readv, and its /proc entries. One instance per
 * supervisor thread, re-aimed at each event ({@link #at}), with buffers allocated once.
 */
public final class ProcTargetMemory implements TargetMemory {
    private static final int PAGE = 4096;
    private static final int FIRST_READ = 256;
    private final byte[] chunk = new byte[PAGE];
    private final ProcessVm vm;
    private final ByteBuffer bufferView;

    /** Reads through the kernel's {@code process_vm_readv}. */
    public ProcTargetMemory() {
        this(ProcessVm.create());
    }

    /** Reads through {@code vm} (a fake in tests). */
    public ProcTargetMemory(ProcessVm vm) {
        this.vm = vm;
        this.bufferView = vm.buffer();
    }

    private int pid;
    private int tid;

    private int reads;

    /** Point at another stopped thread. */
    public ProcTargetMemory at(int pid, int tid) {
        this.pid = pid;
        this.tid = tid;
        this.reads = 0;
        return this;
    }

    /**
     * How many times the target was read (its memory or its /proc entries) since {@link #at}:
     * what was read is only trustworthy once the caller has checked the target is still the
     * same (notify mode: {@code SECCOMP_IOCTL_NOTIF_ID_VALID}), which is needless when nothing was.
     */
    public int reads() {
        return reads;
    }

    /**
     * The string's bytes are gathered and decoded once, so a character split across two reads is
     * kept whole; a read that fails before the NUL (the string runs into an unmapped page) gives
     * nothing, as the kernel's own copy would fail with EFAULT, never the part before it.
     */
    @Override
    public Optional<String> readString(long address, int max) {
        if (address == 0) {
            return Optional.empty();
        }
        byte[] chunk = this.chunk;
        byte[] gathered = null;
        long at = address;
        int total = 0;
        while (total < max) {
            // never past the end of the page, so an unmapped next page does not fail the read;
            // the first read is short: most strings end within it, and copying costs
            int n = (int) Math.min(PAGE - (at & (PAGE - 1)), max - total);
            if (total == 0) {
                n = Math.min(n, FIRST_READ);
            }
            int got = readInto(at, n);
            if (got <= 0) {
                return Optional.empty();
            }
            bufferView.get(0, chunk, 0, got);
            int end = 0;
            while (end < got && chunk[end] != 0) {
                end++;
            }
            if (gathered == null && end < got) {
                return Optional.of(new String(chunk, 0, end, StandardCharsets.UTF_8)); // the usual case
            }
            gathered = gathered == null ? new byte[Math.min(max, 2 * PAGE)] : gathered;
            if (gathered.length < total + end) {
                gathered = java.util.Arrays.copyOf(gathered, Math.min(max, Math.max(2 * gathered.length, total + end)));
            }
            System.arraycopy(chunk, 0, gathered, total, end);
            total += end;
            if (end < got) {
                break; // the NUL
            }
            at += got;
        }
        return Optional.of(gathered == null ? "" : new String(gathered, 0, total, StandardCharsets.UTF_8));
    }

    @Override
    public Optional<byte[]> read(long address, int length) {
        if (address == 0 || length < 0 || length > PAGE) {
            return Optional.empty();
        }
        int got = readInto(address, length);
        if (got != length) {
            return Optional.empty();
        }
        byte[] bytes = new byte[length];
        bufferView.get(0, bytes, 0, length);
        return Optional.of(bytes);
    }

    private int readInto(long address, int length) {
        reads++;
        int got = vm.process_vm_readv(tid, address, length);
        return got < 0 ? -1 : got;
    }

    @Override
    public Optional<String> cwd() {
        reads++;
        return link("/proc/" + tid + "/cwd");
    }

    @Override
    public Optional<String> fdPath(int fd) {
        reads++;
        return link("/proc/" + tid + "/fd/" + fd);
    }

    @Override
    public Optional<String> comm() {
        return text("/proc/" + tid + "/comm").map(String::strip);
    }

    @Override
    public Optional<String> exe() {
        return link("/proc/" + pid + "/exe");
    }

    @Override
    public int ppid() {
        return statusField("PPid:");
    }

    @Override
    public int uid() {
        return statusField("Uid:");
    }

    private int statusField(String key) {
        Optional<String> s = text("/proc/" + pid + "/status");
        if (s.isEmpty()) {
            return -1;
        }
        for (String line : s.get().split("\n")) {
            if (line.startsWith(key)) {
                String[] f = line.substring(key.length()).strip().split("\\s+");
                try {
                    return Integer.parseInt(f[0]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private static Optional<String> link(String path) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of(path)).toString());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> text(String path) {
        try {
            return Optional.of(Files.readString(Path.of(path)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
