package dev.syscage.supervise.decode;

import static dev.syscage.supervise.decode.SyscallDecoderTest.nr;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.supervise.TargetMemory;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** decode() is on the supervisor's hot path: no input may make it throw. */
class RobustnessTest {

    @Test
    void missingArgumentsReadAsZero() {
        SyscallDecoder d = SyscallDecoderTest.X86_64;
        assertEquals(
                "openat(0, NULL, O_RDONLY)",
                d.decode(nr(Arch.X86_64, "openat"), null, null).text());
        assertEquals(
                "kill(7, 0)",
                d.decode(nr(Arch.X86_64, "kill"), new long[] {7}, null).text());
    }

    @Test
    void withoutMemoryPointersPrintAsThemselves() {
        assertEquals(
                "openat(AT_FDCWD, 0x7ffd0000, O_RDONLY)",
                SyscallDecoderTest.X86_64
                        .decode(nr(Arch.X86_64, "openat"), new long[] {-100, 0x7ffd0000L, 0, 0}, null)
                        .text());
    }

    @Test
    void aMemoryThatThrowsGivesTheRawRegisters() {
        TargetMemory broken = new FakeMemory() {
            @Override
            public Optional<String> readString(long address, int max) {
                throw new IllegalStateException("bug in a TargetMemory");
            }
        };
        assertEquals(
                "openat(0xffffffffffffff9c, 0x7ffd0000, 0x80000, 0)",
                SyscallDecoderTest.X86_64
                        .decode(nr(Arch.X86_64, "openat"), new long[] {-100, 0x7ffd0000L, 0x80000, 0}, broken)
                        .text());
    }

    @Test
    void aHugeWriteCountReadsOnlyTheStringLimit() {
        FakeMemory mem = new FakeMemory();
        long at = mem.put(new byte[32]);
        assertEquals(
                "write(1, \"\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\"..., "
                        + "18446744073709551615)",
                SyscallDecoderTest.X86_64
                        .decode(nr(Arch.X86_64, "write"), new long[] {1, at, -1}, mem)
                        .text());
    }

    @Test
    void anArgvWithoutItsNullIsCutAfterTheLimit() {
        FakeMemory mem = new FakeMemory();
        String[] many = new String[40];
        java.util.Arrays.fill(many, "x");
        long argv = mem.strings(many);
        String text = SyscallDecoderTest.X86_64
                .decode(nr(Arch.X86_64, "execve"), new long[] {0, argv, 0}, mem)
                .text();
        assertEquals("execve(NULL, [" + "\"x\", ".repeat(32) + "...], NULL)", text);
    }

    /** Every syscall of every arch, with random registers and a memory full of garbage. */
    @ParameterizedTest
    @EnumSource(Arch.class)
    void randomRegistersNeverThrow(Arch arch) {
        SyscallDecoder d = new SyscallDecoder(arch);
        FakeMemory mem = new FakeMemory(arch.registerBits() / 8).fd(3, "/srv");
        Random random = new Random(42);
        long[] addresses = new long[16];
        for (int i = 0; i < addresses.length; i++) {
            byte[] garbage = new byte[random.nextInt(200)];
            random.nextBytes(garbage);
            addresses[i] = mem.put(garbage);
        }
        for (Syscall s : SyscallTable.of(arch).all()) {
            for (int round = 0; round < 50; round++) {
                long[] args = new long[6];
                for (int i = 0; i < 6; i++) {
                    args[i] = switch (random.nextInt(4)) {
                        case 0 -> addresses[random.nextInt(addresses.length)] + random.nextInt(8);
                        case 1 -> random.nextInt(64) - 8;
                        case 2 -> -100;
                        default -> random.nextLong();
                    };
                }
                String text = d.decode(s.nr(), args, mem).text();
                assertEquals(true, text.startsWith(s.name() + "("), text);
            }
        }
    }
}
