/*
 * Included last by every translation unit tools/gen-constants writes.
 *
 * Why compile-only: the tables for i386 and aarch64 are made with compilers whose output this
 * machine may not be able to run (aarch64-linux-gnu-gcc).  So no program is run; instead
 * each constant is turned into an immediate operand of an asm statement whose text lands in
 * the compiler's assembly output (`gcc -S`), where the script reads it back.  The same trick
 * gives the kernel its asm-offsets.h.
 *
 * A line of output looks like   .ascii "@syscage@ NAME HI LO NEG"   where HI and LO are the
 * upper and lower 32 bits of the value converted to long long (printed by the compiler as
 * signed 32-bit numbers) and NEG is 1 when the C value is negative.  Splitting into halves
 * keeps every operand 32 bits wide, which all targets (including i386) accept as "i".
 * "%c" prints a constant operand without the target's immediate prefix ($ or #).
 */
#ifndef SYSCAGE_GEN_CONSTANTS_H
#define SYSCAGE_GEN_CONSTANTS_H

#define SYSCAGE_HI(v) ((unsigned int)((unsigned long long)(long long)(v) >> 32))
#define SYSCAGE_LO(v) ((unsigned int)((unsigned long long)(long long)(v)))

#define SYSCAGE_EMIT(name, v)                                                       \
    __asm__ volatile("\n.ascii \"@syscage@ " name " %c0 %c1 %c2\""                 \
                     : : "i"(SYSCAGE_HI(v)), "i"(SYSCAGE_LO(v)), "i"((v) < 0))

#endif
