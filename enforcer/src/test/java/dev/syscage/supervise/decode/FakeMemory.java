package dev.syscage.supervise.decode;

import dev.syscage.supervise.TargetMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A target for tests: byte regions at addresses, a cwd and descriptor targets. Reads outside a
 * region fail like an unmapped page; strings stop at NUL or at {@code max}, as the real one does.
 */
public class FakeMemory implements TargetMemory {
    private final TreeMap<Long, byte[]> regions = new TreeMap<>();
    private final Map<Integer, String> fds = new HashMap<>();
    private String cwd = "/home/user";
    private final int pointerBytes;
    private long next = 0x7ffd0000L;
    int reads;

    public FakeMemory() {
        this(8);
    }

    FakeMemory(int pointerBytes) {
        this.pointerBytes = pointerBytes;
        if (pointerBytes == 4) {
            next = 0xbf000000L;
        }
    }

    /** Puts bytes somewhere new and returns the address. */
    public long put(byte[] bytes) {
        long at = next;
        regions.put(at, bytes.clone());
        next += (bytes.length + 0x100) & ~0xffL;
        return at;
    }

    /** A NUL-terminated string. */
    public long string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return put(Arrays.copyOf(b, b.length + 1));
    }

    /** A NULL-terminated array of pointers to these strings (argv). */
    long strings(String... items) {
        ByteBuffer buf = ByteBuffer.allocate((items.length + 1) * pointerBytes).order(ByteOrder.LITTLE_ENDIAN);
        for (String s : items) {
            long p = string(s);
            if (pointerBytes == 8) {
                buf.putLong(p);
            } else {
                buf.putInt((int) p);
            }
        }
        return put(buf.array());
    }

    FakeMemory cwd(String dir) {
        this.cwd = dir;
        return this;
    }

    FakeMemory fd(int fd, String target) {
        fds.put(fd, target);
        return this;
    }

    @Override
    public Optional<String> readString(long address, int max) {
        reads++;
        Map.Entry<Long, byte[]> r = regions.floorEntry(address);
        if (r == null || address - r.getKey() >= r.getValue().length) {
            return Optional.empty();
        }
        byte[] b = r.getValue();
        int from = (int) (address - r.getKey());
        int end = from;
        while (end < b.length && b[end] != 0 && end - from < max) {
            end++;
        }
        return Optional.of(new String(b, from, end - from, StandardCharsets.UTF_8));
    }

    @Override
    public Optional<byte[]> read(long address, int length) {
        reads++;
        Map.Entry<Long, byte[]> r = regions.floorEntry(address);
        if (r == null || address - r.getKey() + length > r.getValue().length) {
            return Optional.empty();
        }
        int from = (int) (address - r.getKey());
        return Optional.of(Arrays.copyOfRange(r.getValue(), from, from + length));
    }

    @Override
    public Optional<String> cwd() {
        return Optional.ofNullable(cwd);
    }

    @Override
    public Optional<String> fdPath(int fd) {
        return Optional.ofNullable(fds.get(fd));
    }

    @Override
    public Optional<String> comm() {
        return Optional.of("test");
    }

    @Override
    public Optional<String> exe() {
        return Optional.of("/usr/bin/test");
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
