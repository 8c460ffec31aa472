/*
 * The path-rewriting thread of the race test programs (pathrace, unlinkrace): it keeps
 * switching the shared buffer `path` between names[0] and names[1] until `done` is set.
 */
#ifndef SYSCAGE_TESTPROGS_FLIP_H
#define SYSCAGE_TESTPROGS_FLIP_H

#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#define BUF 4096

static char path[BUF];
static atomic_int done;
static const char *names[2];

static void *flipper(void *arg)
{
    (void)arg;
    for (unsigned i = 0; !atomic_load_explicit(&done, memory_order_relaxed); i++) {
        const char *n = names[i & 1];
        /* byte by byte through a volatile pointer, so the compiler keeps every store */
        volatile char *p = path;
        size_t len = strlen(n);
        for (size_t k = 0; k <= len; k++)
            p[k] = n[k];
    }
    return NULL;
}

#endif
