/*
 * The filter under test: read once from the raw file `syscage compile -o` writes (struct
 * sock_filter[], 8 bytes an instruction, host byte order), installed afresh in every child.
 */
#include "probe.h"

#include <errno.h>
#include <linux/audit.h>
#include <stddef.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void fail(const char *path, const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", PROGRAM_NAME, path, what);
    exit(2);
}

void filter_load(const char *path, struct sock_fprog *out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot open filter %s: %s\n", PROGRAM_NAME, path, strerror(errno));
        exit(2);
    }
    size_t cap = (BPF_MAXINSNS + 1) * sizeof(struct sock_filter);
    unsigned char *buf = malloc(cap);
    if (buf == NULL) {
        fail(path, "out of memory");
    }
    size_t len = fread(buf, 1, cap, f);
    if (ferror(f)) {
        fail(path, "read error");
    }
    fclose(f);
    if (len == 0 || len % sizeof(struct sock_filter) != 0) {
        fail(path, "not a filter: the size must be a non-zero multiple of 8 bytes");
    }
    if (len / sizeof(struct sock_filter) > BPF_MAXINSNS) {
        fail(path, "more than 4096 instructions; the kernel accepts 4096");
    }
    out->len = (unsigned short)(len / sizeof(struct sock_filter));
    out->filter = (struct sock_filter *)buf;
}

long filter_install(const struct sock_fprog *prog)
{
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog);
    return r == 0 ? 0 : -errno;
}

void filter_guard(int err, struct sock_fprog *out)
{
    static struct sock_filter guard[6];
    const struct sock_filter code[6] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_seccomp, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
    };
    memcpy(guard, code, sizeof(code));
    out->len = 6;
    out->filter = guard;
}
