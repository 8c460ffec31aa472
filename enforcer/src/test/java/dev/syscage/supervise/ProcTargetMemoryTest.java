package dev.syscage.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Strings read from a process's memory (this JVM's own, with process_vm_readv as for any
 * target): characters split across reads stay whole, and a string that runs into memory that
 * cannot be read, or past the length asked for where a path is meant, gives nothing.
 */
class ProcTargetMemoryTest {
    private static final int PAGE = 4096;

    interface Libc extends Library {
        Libc C = Native.load("c", Libc.class);

        Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

        int mprotect(Pointer addr, long length, int prot);

        int munmap(Pointer addr, long length);
    }

    private Pointer pages;
    private final ProcTargetMemory mem = new ProcTargetMemory();

    @BeforeEach
    void map() {
        pages = Libc.C.mmap(null, 3L * PAGE, 3, 0x22, -1, 0); // PROT_READ|WRITE, MAP_PRIVATE|ANONYMOUS
        assertNotEquals(-1L, Pointer.nativeValue(pages));
        assertEquals(0, Libc.C.mprotect(pages.share(2L * PAGE), PAGE, 0), "the third page: no access");
        int self = (int) ProcessHandle.current().pid();
        mem.at(self, self);
    }

    @AfterEach
    void unmap() {
        Libc.C.munmap(pages, 3L * PAGE);
    }

    /** {@code bytes} written to end at {@code end} bytes into the mapping; their address. */
    private long put(byte[] bytes, long end) {
        long at = end - bytes.length;
        pages.write(at, bytes, 0, bytes.length);
        return Pointer.nativeValue(pages) + at;
    }

    private static byte[] cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return z;
    }

    @Test
    void aCharacterSplitAcrossReadsStaysWhole() {
        long page = Pointer.nativeValue(pages);
        // the first read is 256 bytes: é's two bytes straddle its end
        String path = "/tmp/" + "a".repeat(250) + "é" + "b".repeat(10);
        pages.write(0, cString(path), 0, cString(path).length);
        assertEquals(Optional.of(path), mem.readPath(page));
        // reads stop at the end of a page: ü's two bytes straddle the first page's end
        String text = "/tmp/" + "a".repeat(250) + "é" + "b".repeat(3838) + "ü" + "c".repeat(10);
        byte[] bytes = cString(text);
        assertEquals(
                4095,
                text.substring(0, text.indexOf('ü')).getBytes(StandardCharsets.UTF_8).length,
                "ü starts at the page's last byte");
        pages.write(0, bytes, 0, bytes.length);
        assertEquals(Optional.of(text), mem.readString(page, 8192));
    }

    @Test
    void aStringThatRunsIntoUnreadableMemoryIsNotCutShort() {
        byte[] noNul = "/tmp/abcde".getBytes(StandardCharsets.UTF_8);
        long address = put(noNul, 2L * PAGE); // its NUL would be on the page that cannot be read
        assertEquals(Optional.empty(), mem.readString(address, 4096));
        assertEquals(Optional.empty(), mem.readPath(address));
        long fine = put(cString("/tmp/abcde"), 2L * PAGE);
        assertEquals(Optional.of("/tmp/abcde"), mem.readPath(fine));
    }

    @Test
    void aPathWithoutANulWithinPathMaxIsNone() {
        String longest = "/" + "x".repeat(4094); // 4095 bytes and its NUL: PATH_MAX
        assertEquals(Optional.of(longest), mem.readPath(put(cString(longest), 2L * PAGE)));
        String tooLong = "/" + "x".repeat(4095);
        long address = put(cString(tooLong), 2L * PAGE);
        assertEquals(Optional.empty(), mem.readPath(address), "the kernel's ENAMETOOLONG");
        assertEquals(Optional.of("/" + "x".repeat(31)), mem.readString(address, 32), "a display string is cut");
    }
}
