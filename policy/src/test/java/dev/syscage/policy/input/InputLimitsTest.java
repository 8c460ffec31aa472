package dev.syscage.policy.input;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.policy.bpf.Bpf;
import org.junit.jupiter.api.Test;

/** The limits written out in {@link InputLimits} agree with where they come from. */
class InputLimitsTest {
    @Test
    void aRawBpfFileHoldsTheKernelsMostInstructions() {
        assertEquals(Bpf.BPF_MAXINSNS * 8, InputLimits.MAX_BPF_BYTES);
    }

    @Test
    void byteLimitsAreWrittenAsPeopleWriteThem() {
        assertEquals("32 KiB", InputLimits.bytes(InputLimits.MAX_BPF_BYTES));
        assertEquals("1 MiB", InputLimits.bytes(InputLimits.MAX_FREQUENCY_BYTES));
        assertEquals("100 bytes", InputLimits.bytes(100));
    }
}
