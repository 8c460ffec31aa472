package dev.syscage.supervise.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.DecodedCall;
import org.junit.jupiter.api.Test;

/**
 * A micro-check, not a timed assertion (machines differ): decoding an openat after warm-up should
 * take well under 20 µs, since it runs for every routed syscall. The result is printed.
 */
class DecodeSpeedTest {

    @Test
    void openatDecodesInMicroseconds() {
        SyscallDecoder d = SyscallDecoderTest.X86_64;
        FakeMemory mem = new FakeMemory().cwd("/home/user");
        long[] args = {-100, mem.string("lib/x86_64-linux-gnu/libc.so.6"), 0x80000, 0, 0, 0};
        int nr = SyscallDecoderTest.nr(Arch.X86_64, "openat");
        DecodedCall last = null;
        for (int i = 0; i < 200_000; i++) {
            last = d.decode(nr, args, mem);
        }
        int n = 200_000;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            last = d.decode(nr, args, mem);
        }
        double micros = (System.nanoTime() - start) / 1000.0 / n;
        System.out.printf("decode(openat) with path resolution: %.2f us per call after warm-up%n", micros);
        assertEquals("/home/user/lib/x86_64-linux-gnu/libc.so.6", last.resolvedPath().orElseThrow());
    }
}
