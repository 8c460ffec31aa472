package dev.syscage.supervise.decode;

/**
 * One argument of one syscall on one architecture, decided once when the decoder is built:
 * its kind, the register bits the kernel uses ({@code width}) and whether they are a signed C
 * type, its name set for flags and enums, and {@code ref}, the index of the argument its detail
 * names (a buffer's length), or -1.
 */
record ArgSpec(int index, String name, ArgKind kind, int width, boolean signed, NameSet set, int ref) {

    /** The register as the kernel reads this parameter: cut to the width, sign-extended if signed. */
    long value(long register) {
        if (width >= 64) {
            return register;
        }
        long masked = register & ((1L << width) - 1);
        if (signed && (masked & (1L << (width - 1))) != 0) {
            return masked | (-1L << width);
        }
        return masked;
    }
}
