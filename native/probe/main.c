/*
 * syscage-probe --filter FILE [--guard ERRNO] [--timeout SECONDS]
 *
 * Reads cases from stdin, one a line (`ABI NR A0 A1 A2 A3 A4 A5`, see cases.c), and for each
 * prints one line saying what the kernel did with that call under the filter:
 *
 *   ret N                   the call ran (or an errno action of 0) and returned N
 *   errno N                 the call returned -N (N in 1..4095): an errno action, or the call's own error
 *   trap DATA NR ARCH       SIGSYS from a trap action: si_errno, si_syscall, si_arch (hex)
 *   signal N                the child was killed by signal N (31 = SIGSYS: kill actions; 14: timeout)
 *   exit N                  the child exited with status N without reporting (an allowed exit call)
 *
 * --guard ERRNO installs, before the filter, one that fails every call but seccomp(2) with
 * ERRNO (see filter_guard): for tests whose filters should never let a call run, it makes sure
 * none does even when the filter is wrong; such a call then reports `errno ERRNO`.
 * --timeout: a child still running after SECONDS (default 10) is killed (`signal 14`).
 *
 * Blank lines and lines starting with # are skipped and print nothing. Exit status: 0 after
 * all cases; 1 when the filter cannot be installed or a system call of the probe fails; 2 for
 * bad usage, an unreadable filter or a malformed case (the message names the line).
 */
#include "probe.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>

struct options {
    const char *filter;
    int guard_errno; /* -1: no guard */
    unsigned timeout_s;
};

static void usage(FILE *to, int status)
{
    fprintf(to, "usage: %s --filter FILE [--guard ERRNO] [--timeout SECONDS] < cases\n"
                "  each case: ABI NR [A0 .. A5]; ABI 64 = syscall, 32 = int $0x80;\n"
                "  numbers decimal or 0x-hex, may be negative; an argument mem:HEX or str:TEXT\n"
                "  is copied to memory below 4 GiB and replaced by its address\n",
            PROGRAM_NAME);
    exit(status);
}

static unsigned long number_option(const char *name, const char *text, unsigned long min, unsigned long max)
{
    char *end;
    unsigned long v = strtoul(text, &end, 10);
    if (text[0] == '\0' || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "%s: %s takes a number from %lu to %lu, not '%s'\n", PROGRAM_NAME, name, min, max, text);
        exit(2);
    }
    return v;
}

static struct options parse_options(int argc, char **argv)
{
    struct options o = { NULL, -1, 10 };
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            usage(stdout, 0);
        } else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc) {
            o.filter = argv[++i];
        } else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            o.timeout_s = (unsigned)number_option("--timeout", argv[++i], 1, 3600);
        } else if (strcmp(argv[i], "--guard") == 0 && i + 1 < argc) {
            o.guard_errno = (int)number_option("--guard", argv[++i], 1, 4095);
        } else {
            fprintf(stderr, "%s: unknown or incomplete option '%s'\n", PROGRAM_NAME, argv[i]);
            usage(stderr, 2);
        }
    }
    if (o.filter == NULL) {
        fprintf(stderr, "%s: --filter FILE is required\n", PROGRAM_NAME);
        usage(stderr, 2);
    }
    return o;
}

/*
 * What every child inherits, done once: no_new_privs (required to install a filter without
 * CAP_SYS_ADMIN, and harmless when root), no core dumps from the SIGSYS kills, the shared
 * record and the SIGSYS handler.
 */
static void setup_process(void)
{
    struct rlimit no_core = { 0, 0 };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        fprintf(stderr, "%s: prctl(PR_SET_NO_NEW_PRIVS): %s\n", PROGRAM_NAME, strerror(errno));
        exit(1);
    }
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 || setrlimit(RLIMIT_CORE, &no_core) != 0) {
        fprintf(stderr, "%s: cannot disable core dumps: %s\n", PROGRAM_NAME, strerror(errno));
        exit(1);
    }
    child_setup();
}

static void print_outcome(FILE *out, const struct probe_outcome *o)
{
    switch (o->kind) {
    case OUT_RETURN:
        if (o->value < 0 && o->value >= -4095) {
            fprintf(out, "errno %" PRId64 "\n", -o->value);
        } else {
            fprintf(out, "ret %" PRId64 "\n", o->value);
        }
        break;
    case OUT_TRAP:
        fprintf(out, "trap %" PRId64 " %" PRId32 " 0x%" PRIx32 "\n", o->value, o->trap_syscall, o->trap_arch);
        break;
    case OUT_SIGNAL:
        fprintf(out, "signal %" PRId64 "\n", o->value);
        break;
    case OUT_EXIT:
        fprintf(out, "exit %" PRId64 "\n", o->value);
        break;
    }
}

int main(int argc, char **argv)
{
    struct options opt = parse_options(argc, argv);
    struct sock_fprog prog;
    struct sock_fprog guard;
    filter_load(opt.filter, &prog);
    if (opt.guard_errno > 0) {
        filter_guard(opt.guard_errno, &guard);
    }
    struct probe_filters filters = { opt.guard_errno > 0 ? &guard : NULL, &prog };
    setup_process();
    /* MAP_32BIT: i386 calls through int $0x80 see only the low 32 bits of a pointer */
    unsigned char *scratch = mmap(NULL, SCRATCH_SIZE, PROT_READ | PROT_WRITE,
                                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (scratch == MAP_FAILED) {
        fprintf(stderr, "%s: mmap(MAP_32BIT): %s\n", PROGRAM_NAME, strerror(errno));
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    unsigned long lineno = 0;
    while (getline(&line, &cap, stdin) >= 0) {
        lineno++;
        size_t skip = strspn(line, " \t\r\n");
        if (line[skip] == '\0' || line[skip] == '#') {
            continue;
        }
        struct probe_case c;
        const char *err = case_parse(line, &c, scratch, SCRATCH_SIZE);
        if (err != NULL) {
            fprintf(stderr, "%s: stdin line %lu: %s\n", PROGRAM_NAME, lineno, err);
            return 2;
        }
        struct probe_outcome o = child_run(&filters, &c, opt.timeout_s);
        print_outcome(stdout, &o);
    }
    free(line);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: writing the results: %s\n", PROGRAM_NAME, strerror(errno));
        return 1;
    }
    return 0;
}
