/*
 * Reading the compiled filter: the raw struct sock_filter array that `syscage compile -o f.bpf`
 * writes (8 bytes an instruction, little-endian, no header), from a path or an inherited fd.
 */
#ifndef SYSCAGE_FILTER_H
#define SYSCAGE_FILTER_H

#include <linux/filter.h>

#include "input.h"

/* A checked program: 1..BPF_MAXINSNS instructions in host byte order. */
struct filter {
    struct sock_filter *insns;
    unsigned short len;
};

/*
 * Reads the whole filter, closes its fd and checks the size; dies with status 125 naming the
 * problem and the limit.
 */
void filter_load(const struct input_source *source, struct filter *out);

#endif
