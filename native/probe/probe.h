/*
 * syscage-probe: issues system calls under a real seccomp filter and reports what the kernel
 * did, so tests can compare the kernel's verdict with syscage's interpreter. One forked child
 * per case installs the filter, makes exactly one call and reports through shared memory (not
 * a pipe: the filter may deny write(2), and even exit_group(2)).
 *
 * Declarations shared by the probe's files; each file owns one concern:
 *   cases.c   parsing a case line          filter.c  reading and installing the filter
 *   rawcall.c the two syscall instructions child.c   the forked child and its outcome
 *   main.c    options, process set-up, the loop
 */
#ifndef SYSCAGE_PROBE_H
#define SYSCAGE_PROBE_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#define PROGRAM_NAME "syscage-probe"

/* Bytes of scratch memory below 4 GiB that mem:/str: arguments are copied into, per case. */
#define SCRATCH_SIZE 65536

/* How the call is made: the x86_64 `syscall` instruction, or the i386 `int $0x80` gate. */
enum probe_abi { ABI_64, ABI_32 };

/* One line of input: `ABI NR A0 A1 A2 A3 A4 A5`. */
struct probe_case {
    enum probe_abi abi;
    uint64_t nr;
    uint64_t args[6];
};

/*
 * Parses `line` into `out`. Numbers are decimal or 0x-hex, optionally negative, 64-bit;
 * missing arguments are 0. An argument `mem:HEX` or `str:TEXT` is copied into `scratch`
 * (bytes, or text plus NUL) and replaced by its address. Returns NULL, or a message.
 */
const char *case_parse(char *line, struct probe_case *out, unsigned char *scratch, size_t scratch_size);

/* Reads a raw filter file (struct sock_filter[], host order). Exits with a message on error. */
void filter_load(const char *path, struct sock_fprog *out);

/* seccomp(SECCOMP_SET_MODE_FILTER, 0, prog): 0, or -errno. Makes exactly one syscall. */
long filter_install(const struct sock_fprog *prog);

/*
 * The guard (--guard ERRNO): a filter installed before the one under test that fails every
 * call with ERRNO, except seccomp(2) itself on x86_64 so the filter under test can still be
 * installed after it. The kernel runs both filters and keeps the more restrictive action,
 * the newer filter winning a tie, so kill, trap and errno results of the filter under test
 * come through unchanged while allow, log, trace and notify become `errno ERRNO`: whatever
 * the filter under test would let through, nothing runs (except seccomp(2)).
 */
void filter_guard(int err, struct sock_fprog *out);

/* The raw `syscall` instruction: all six arguments in full 64 bits; returns rax. */
int64_t raw_syscall64(uint64_t nr, const uint64_t args[6]);

/*
 * `int $0x80` from this 64-bit process. The six arguments are loaded into the FULL 64-bit
 * rbx, rcx, rdx, rsi, rdi, rbp, so a caller can put garbage into the upper halves and see
 * whether the filter notices; eax carries the low 32 bits of nr. Returns eax sign-extended.
 */
int64_t raw_int80(uint64_t nr, const uint64_t args[6]);

/* What happened to one case, as the parent saw it. */
struct probe_outcome {
    enum { OUT_RETURN, OUT_TRAP, OUT_SIGNAL, OUT_EXIT } kind;
    int64_t value;         /* raw return, trap data, signal number or exit status */
    int32_t trap_syscall;  /* si_syscall, for OUT_TRAP */
    uint32_t trap_arch;    /* si_arch, for OUT_TRAP */
};

/* Process-wide set-up the children inherit: shared record, SIGSYS handler. Once, at start. */
void child_setup(void);

/* The filters each child installs, in order: the guard (or NULL), then the filter under test. */
struct probe_filters {
    const struct sock_fprog *guard;
    const struct sock_fprog *under_test;
};

/*
 * Forks a child that installs the filters, makes the call and reports; waits for it. A child that
 * cannot install the filter makes the probe exit 1 with the call and errno.
 */
struct probe_outcome child_run(const struct probe_filters *f, const struct probe_case *c, unsigned timeout_s);

#endif
