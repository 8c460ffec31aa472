/*
 * The Landlock ruleset file: what the policy asks of Landlock, in the text form syscage's
 * compiler writes (LandlockRuleset.serialize() in policy/; docs/launcher.md, "The Landlock
 * ruleset file"). This file reads and checks it; landlock.c negotiates it with the kernel.
 */
#ifndef SYSCAGE_RULESET_H
#define SYSCAGE_RULESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "input.h"

/* The largest ruleset file the launcher reads. */
#define RULESET_MAX_BYTES (1024 * 1024)

/* The rights and scopes this launcher knows (up to Landlock ABI 7). */
#define RULESET_FS_KNOWN 0xffffULL
#define RULESET_NET_KNOWN 0x3ULL
#define RULESET_SCOPE_KNOWN 0x3ULL

/* Rights beneath a path. */
struct ruleset_path {
    char *path; /* decoded, absolute, NUL-terminated */
    uint64_t access; /* LANDLOCK_ACCESS_FS_*, non-zero, a subset of handled_fs */
    bool optional; /* a missing path is skipped, not an error */
    unsigned line; /* in the file, for messages */
};

/* Rights on a TCP port. */
struct ruleset_port {
    uint64_t access; /* LANDLOCK_ACCESS_NET_*, non-zero, a subset of handled_net */
    uint16_t port;
    unsigned line;
};

struct ruleset {
    const char *name; /* FILE or "fd N", for messages */
    bool best_effort; /* compat best-effort: drop what the kernel lacks, with a warning */
    uint64_t handled_fs;
    uint64_t handled_net;
    uint64_t scoped;
    struct ruleset_path *paths;
    size_t path_count;
    struct ruleset_port *ports;
    size_t port_count;
};

/* The three sets of bits a ruleset has, for naming them. */
enum ruleset_kind {
    RULESET_FS,
    RULESET_NET,
    RULESET_SCOPE,
};

/*
 * Reads the whole file (its fd is closed) and checks every line; dies with status 125 and
 * "FILE: line N: PROBLEM" on anything but the text form.
 */
void ruleset_load(const struct input_source *source, struct ruleset *out);

/* Whether the ruleset handles nothing: then no Landlock domain is made. */
bool ruleset_is_empty(const struct ruleset *ruleset);

/*
 * Appends the kernel's names of bits to the NUL-terminated text in buf (of size bytes), each
 * after ", " if buf is not empty and, when prefixed, "fs.", "net." or "scope.": e.g.
 * "fs.ioctl_dev, scope.signal". Bits this launcher does not know are written as one 0xHEX.
 */
void ruleset_describe(char *buf, size_t size, enum ruleset_kind kind, uint64_t bits, bool prefixed);

#endif
