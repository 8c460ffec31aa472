/* Reads and checks the compiled filter (see filter.h). Runs before the filter is installed. */
#include "filter.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "die.h"

#define INSN_SIZE sizeof(struct sock_filter)
#define MAX_BYTES (BPF_MAXINSNS * INSN_SIZE)

/* "FILE" or "fd N", for messages. */
static const char *describe(const struct filter_source *source, char *buf, size_t size)
{
    if (source->path != NULL) {
        return source->path;
    }
    snprintf(buf, size, "fd %d", source->fd);
    return buf;
}

static int open_source(const struct filter_source *source)
{
    if (source->path == NULL) {
        return source->fd;
    }
    int fd = open(source->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        char call[512];
        snprintf(call, sizeof(call), "open(%s)", source->path);
        die_errno(STATUS_LAUNCH_FAILED, errno, call, NULL);
    }
    return fd;
}

/*
 * Reads to end of file: up to MAX_BYTES into buf, and counts (without keeping) whatever follows,
 * so an over-long filter is reported with its real length. Returns the total byte count.
 */
static size_t read_all(int fd, unsigned char *buf, const char *what)
{
    size_t total = 0;
    unsigned char scratch[4096];
    for (;;) {
        unsigned char *dst = total < MAX_BYTES ? buf + total : scratch;
        size_t room = total < MAX_BYTES ? MAX_BYTES - total : sizeof(scratch);
        ssize_t n = read(fd, dst, room);
        if (n == 0) {
            return total;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            char call[512];
            snprintf(call, sizeof(call), "read(%s)", what);
            die_errno(STATUS_LAUNCH_FAILED, errno, call, NULL);
        }
        total += (size_t)n;
    }
}

static void check_size(size_t bytes, const char *what)
{
    if (bytes == 0) {
        die(STATUS_LAUNCH_FAILED, "%s: filter is empty (0 bytes); it needs at least one instruction", what);
    }
    if (bytes % INSN_SIZE != 0) {
        die(STATUS_LAUNCH_FAILED, "%s: filter is %zu bytes, not a multiple of %zu (sizeof(struct sock_filter))",
            what, bytes, INSN_SIZE);
    }
    if (bytes / INSN_SIZE > BPF_MAXINSNS) {
        die(STATUS_LAUNCH_FAILED, "%s: filter has %zu instructions; the kernel accepts %d",
            what, bytes / INSN_SIZE, BPF_MAXINSNS);
    }
}

/* Little-endian bytes → struct sock_filter, so a big-endian host reads the file right too. */
static void decode(const unsigned char *bytes, size_t count, struct sock_filter *insns)
{
    for (size_t i = 0; i < count; i++) {
        const unsigned char *b = bytes + i * INSN_SIZE;
        uint16_t code;
        uint32_t k;
        memcpy(&code, b, sizeof(code));
        memcpy(&k, b + 4, sizeof(k));
        insns[i].code = le16toh(code);
        insns[i].jt = b[2];
        insns[i].jf = b[3];
        insns[i].k = le32toh(k);
    }
}

void filter_load(const struct filter_source *source, struct filter *out)
{
    char name[32];
    const char *what = describe(source, name, sizeof(name));
    unsigned char *bytes = malloc(MAX_BYTES);
    if (bytes == NULL) {
        die_errno(STATUS_LAUNCH_FAILED, ENOMEM, "malloc", NULL);
    }
    int fd = open_source(source);
    size_t total = read_all(fd, bytes, what);
    if (close(fd) != 0 && errno != EINTR) {
        char call[512];
        snprintf(call, sizeof(call), "close(%s)", what);
        die_errno(STATUS_LAUNCH_FAILED, errno, call, NULL);
    }
    check_size(total, what);
    size_t count = total / INSN_SIZE;
    out->insns = calloc(count, sizeof(*out->insns));
    if (out->insns == NULL) {
        die_errno(STATUS_LAUNCH_FAILED, ENOMEM, "calloc", NULL);
    }
    decode(bytes, count, out->insns);
    out->len = (unsigned short)count;
    free(bytes);
}
