package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.decode.FakeMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How truncate, chmod, chown, utime and the xattr calls are read from a notification and the program's memory. */
class InodeCallTest {
    private final FakeMemory mem = new FakeMemory();

    private Optional<InodeCall> of(Arch arch, int nr, long... args) {
        long[] a = new long[6];
        System.arraycopy(args, 0, a, 0, args.length);
        return InodeCall.of(new SyscallEvent(1, 0, 10, 10, arch, nr, a, 0, SyscallEvent.Source.NOTIFY, 0), mem);
    }

    private InodeCall call(Arch arch, int nr, long... args) {
        return of(arch, nr, args).orElseThrow();
    }

    private long longs(long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return mem.put(b.array());
    }

    private long ints(int... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putInt(x);
        }
        return mem.put(b.array());
    }

    @Test
    void truncateChmodAndChownOnBothArchitectures() {
        assertEquals(5, call(Arch.X86_64, 76, 0, 5).length());
        assertEquals((7L << 32) | 3, call(Arch.I386, 193, 0, 3, 7).length(), "truncate64: the length in two registers");
        assertEquals(22, call(Arch.X86_64, 76, 0, -1).errno(), "a negative length: EINVAL");
        assertEquals(22, call(Arch.I386, 92, 0, 0xffffffffL).errno(), "i386: the 32-bit length is signed");
        assertEquals(0x7fffffffL, call(Arch.I386, 92, 0, 0x7fffffffL).length());
        assertEquals(0640, call(Arch.X86_64, 90, 0, 0100640).mode(), "chmod keeps the mode bits");
        assertFalse(call(Arch.X86_64, 452, -100, 0, 0600, 0x100).follow(), "fchmodat2 AT_SYMLINK_NOFOLLOW");
        InodeCall lchown16 = call(Arch.I386, 16, 0, 0xffff, 42);
        assertEquals(-1, lchown16.uid(), "i386 lchown: 16-bit ids, 0xffff for unchanged");
        assertEquals(42, lchown16.gid());
        assertFalse(lchown16.follow());
        assertEquals(70000, call(Arch.I386, 212, 0, 70000, 0xffffffffL).uid(), "chown32");
        assertEquals(-1, call(Arch.I386, 212, 0, 70000, 0xffffffffL).gid());
        assertEquals(1, call(Arch.X86_64, 260, 3, 0, 0, 0, 0x1000).errno(), "fchownat AT_EMPTY_PATH: EPERM");
        assertEquals(22, call(Arch.X86_64, 260, 3, 0, 0, 0, 0x4).errno(), "unknown flags: EINVAL");
    }

    @Test
    void theUtimeCallsBecomeTimespecs() {
        assertArrayEquals(
                new long[] {1, 0, 2, 0}, call(Arch.X86_64, 132, 0, longs(1, 2)).times(), "utime: seconds");
        assertArrayEquals(
                new long[] {1, 0, 2, 0}, call(Arch.I386, 30, 0, ints(1, 2)).times(), "i386: 32-bit time_t");
        assertArrayEquals(
                new long[] {1, 5000, 2, 6000},
                call(Arch.X86_64, 235, 0, longs(1, 5, 2, 6)).times(),
                "utimes: microseconds");
        assertArrayEquals(
                new long[] {1, 7, 2, (1L << 30) - 2},
                call(Arch.X86_64, 280, -100, 1, longs(1, 7, 2, (1L << 30) - 2), 0)
                        .times(),
                "utimensat: UTIME_OMIT kept");
        assertArrayEquals(
                new long[] {1, 7, 2, 8},
                call(Arch.I386, 412, -100, 1, longs(1, 7, 2, 8), 0).times(),
                "utimensat_time64");
        InodeCall padded = call(Arch.I386, 412, -100, 1, longs(1, 7 | (5L << 32), 2, 8 | (-1L << 32)), 0);
        assertArrayEquals(new long[] {1, 7, 2, 8}, padded.times(), "i386: tv_nsec is 32 bits, its padding ignored");
        assertEquals(0, padded.errno());
        assertNull(call(Arch.X86_64, 235, 0, 0).times(), "NULL: now");
        assertFalse(call(Arch.X86_64, 280, -100, 1, 0, 0x100).follow());
        assertEquals(22, call(Arch.X86_64, 235, 0, longs(1, 1_000_000, 2, 0)).errno(), "µs out of range: EINVAL");
        assertEquals(22, call(Arch.X86_64, 280, -100, 1, longs(1, -5, 2, 0), 0).errno(), "ns out of range: EINVAL");
        assertEquals(14, call(Arch.X86_64, 235, 0, 0xdead0000L).errno(), "unreadable times: EFAULT");
        assertTrue(of(Arch.X86_64, 280, 3, 0, 0, 0).isEmpty(), "utimensat(fd, NULL): no path, nothing to race");
    }

    @Test
    void xattrNamesAndValuesAreReadOnce() {
        InodeCall set = call(Arch.X86_64, 188, 0, mem.string("user.k"), mem.put(new byte[] {1, 2, 3}), 3, 1);
        assertEquals("user.k", set.name());
        assertArrayEquals(new byte[] {1, 2, 3}, set.value());
        assertEquals(1, set.length(), "setxattr's flags");
        assertTrue(set.follow());
        assertFalse(call(Arch.X86_64, 189, 0, mem.string("user.k"), mem.put(new byte[] {1}), 1, 0)
                .follow());
        assertEquals(
                7, call(Arch.X86_64, 188, 0, mem.string("user.k"), 0, 65537, 0).errno(), "too big: E2BIG");
        assertEquals(14, call(Arch.X86_64, 188, 0, 0, 0, 0, 0).errno(), "unreadable name: EFAULT");
        for (long huge : new long[] {-1L, 1L << 63, 0xffffffff00000010L}) {
            assertEquals(
                    7,
                    call(Arch.X86_64, 188, 0, mem.string("user.k"), 0, huge, 0).errno(),
                    "a size_t over XATTR_SIZE_MAX: E2BIG, " + Long.toHexString(huge));
        }
        long high = 0xdead_0000_0000_0000L;
        assertEquals(
                "user.k",
                call(Arch.I386, 226, 0, high | mem.string("user.k"), high | mem.put(new byte[] {9}), high | 1, high)
                        .name(),
                "i386: the registers' upper halves are not the call's");
        assertEquals("user.k", call(Arch.X86_64, 197, 0, mem.string("user.k")).name());
        assertFalse(call(Arch.X86_64, 198, 0, mem.string("user.k")).follow());
        assertEquals(
                84,
                call(Arch.X86_64, 197, 0, mem.string("user.\uFFFD")).errnoFor(Optional.of("/tmp/f")),
                "an attribute name that was not UTF-8: EILSEQ");
        assertEquals(84, call(Arch.X86_64, 90, 0, 0600).errnoFor(Optional.of("/tmp/\uFFFD")), "so is such a path");
        assertEquals(0, call(Arch.X86_64, 90, 0, 0600).errnoFor(Optional.of("/tmp/f")));
    }

    /** struct xattr_args {u64 value; u32 size; u32 flags;} followed by {@code tail}. */
    private long xattrArgs(long value, int size, int flags, byte... tail) {
        ByteBuffer b = ByteBuffer.allocate(16 + tail.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(value).putInt(size).putInt(flags).put(tail);
        return mem.put(b.array());
    }

    @Test
    void setxattratAndRemovexattratTakeTheirValueFromAStructCheckedAsTheKernelDoes() {
        long name = mem.string("user.k");
        long value = mem.put(new byte[] {4, 5});
        for (Arch arch : new Arch[] {Arch.X86_64, Arch.I386}) {
            InodeCall set = call(arch, 463, -100, 0, 0, name, xattrArgs(value, 2, 2), 16);
            assertEquals("user.k", set.name(), arch.toString());
            assertArrayEquals(new byte[] {4, 5}, set.value());
            assertEquals(2, set.length(), "the struct's flags (XATTR_REPLACE)");
            assertTrue(set.follow());
            assertEquals(0, set.errno());
            InodeCall remove = call(arch, 466, -100, 0, 0x100, name);
            assertEquals("user.k", remove.name());
            assertFalse(remove.follow(), "AT_SYMLINK_NOFOLLOW");
        }
        assertFalse(call(Arch.X86_64, 463, -100, 0, 0x100, name, xattrArgs(value, 2, 0), 16)
                .follow());
        assertEquals(
                0,
                call(Arch.X86_64, 463, -100, 0, 0, name, xattrArgs(value, 2, 0, new byte[8]), 24)
                        .errno(),
                "a bigger struct whose new fields are zero");
        assertEquals(
                7,
                call(Arch.X86_64, 463, -100, 0, 0, name, xattrArgs(value, 2, 0, (byte) 1), 17)
                        .errno(),
                "a bigger struct with a field this kernel does not know: E2BIG");
        assertEquals(
                22,
                call(Arch.X86_64, 463, -100, 0, 0, name, xattrArgs(value, 2, 0), 8)
                        .errno(),
                "shorter than the first version: EINVAL");
        assertEquals(
                7,
                call(Arch.X86_64, 463, -100, 0, 0, name, xattrArgs(value, 2, 0), 4097)
                        .errno(),
                "over a page: E2BIG");
        assertEquals(
                7,
                call(Arch.X86_64, 463, -100, 0, 0, name, xattrArgs(value, 2, 0), -1)
                        .errno(),
                "usize is a size_t: E2BIG, not EINVAL");
        assertEquals(
                14, call(Arch.X86_64, 463, -100, 0, 0, name, 0xdead0000L, 16).errno(), "unreadable struct: EFAULT");
        assertEquals(
                14,
                call(Arch.X86_64, 463, -100, 0, 0, name, xattrArgs(0xdead0000L, 2, 0), 16)
                        .errno(),
                "unreadable value: EFAULT");
        assertEquals(
                7,
                call(Arch.X86_64, 463, -100, 0, 0, name, xattrArgs(value, 65537, 0), 16)
                        .errno(),
                "a value over XATTR_SIZE_MAX: E2BIG");
        assertEquals(
                22,
                call(Arch.X86_64, 463, -100, 0, 0x4, name, xattrArgs(value, 2, 0), 16)
                        .errno(),
                "unknown at_flags: EINVAL");
        assertEquals(
                1,
                call(Arch.X86_64, 463, 3, 0, 0x1000, name, xattrArgs(value, 2, 0), 16)
                        .errno(),
                "AT_EMPTY_PATH (the program's own descriptor): EPERM");
        assertEquals(22, call(Arch.X86_64, 466, -100, 0, 0x1004, name).errno(), "unknown flags before AT_EMPTY_PATH");
        assertEquals(1, call(Arch.X86_64, 466, 3, 0, 0x1000, name).errno());
        assertEquals(14, call(Arch.X86_64, 466, -100, 0, 0, 0).errno(), "unreadable name: EFAULT");
    }
}
