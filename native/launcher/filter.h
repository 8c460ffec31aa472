/*
 * Reading the compiled filter: the raw struct sock_filter array that `syscage compile -o f.bpf`
 * writes (8 bytes an instruction, little-endian, no header), from a path or an inherited fd.
 */
#ifndef SYSCAGE_FILTER_H
#define SYSCAGE_FILTER_H

#include <linux/filter.h>

/* Where the filter comes from: a path (fd < 0) or an already open fd (path == NULL). */
struct filter_source {
    const char *path;
    int fd;
};

/* A checked program: 1..BPF_MAXINSNS instructions in host byte order. */
struct filter {
    struct sock_filter *insns;
    unsigned short len;
};

/*
 * Reads the whole filter, closes its fd and checks the size; dies with status 125 naming the
 * problem and the limit.
 */
void filter_load(const struct filter_source *source, struct filter *out);

#endif
