/* Reads and checks the compiled filter (see filter.h). Runs before the filter is installed. */
#include "filter.h"

#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"

#define INSN_SIZE sizeof(struct sock_filter)
#define MAX_BYTES (BPF_MAXINSNS * INSN_SIZE)

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

void filter_load(const struct input_source *source, struct filter *out)
{
    char name[32];
    const char *what = input_name(source, name, sizeof(name));
    size_t total;
    unsigned char *bytes = input_read(source, MAX_BYTES, &total);
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
