/*
 * Test program for the trace supervisor: several threads of one process open the same path at
 * the same time, so the supervisor sees interleaved stops from many thread ids, and the test
 * can count what each thread got back (no event lost, none answered twice or for the wrong
 * thread).
 *
 * usage: threads PATH K [THREADS]      (THREADS default 8, at most 64)
 * Each thread does K openat(AT_FDCWD, PATH, O_RDONLY) (closing what opens), all threads
 * starting together. Then one line per thread in thread order, and a total:
 *   thread 0: ok=K
 *   thread 1: ok=3 EACCES=7
 *   total: ok=... EACCES=...
 * Counts of each errno follow ok= in increasing errno order, only those seen. Exit status 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strerrorname_np */
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_THREADS 64
#define MAX_ERRNO 4096

struct worker {
    pthread_t thread;
    long ok;
    long errors[MAX_ERRNO];
};

static const char *path;
static long calls;
static pthread_barrier_t start_line;

static void *work(void *arg)
{
    struct worker *w = arg;
    pthread_barrier_wait(&start_line);
    for (long i = 0; i < calls; i++) {
        int fd = openat(AT_FDCWD, path, O_RDONLY);
        if (fd >= 0) {
            w->ok++;
            close(fd);
        } else {
            w->errors[errno < MAX_ERRNO ? errno : 0]++;
        }
    }
    return NULL;
}

static void print_counts(const char *label, long ok, const long *errors)
{
    printf("%s: ok=%ld", label, ok);
    for (int e = 0; e < MAX_ERRNO; e++) {
        if (errors[e] == 0)
            continue;
        const char *name = e == 0 ? "EOTHER" : strerrorname_np(e);
        if (name != NULL)
            printf(" %s=%ld", name, errors[e]);
        else
            printf(" E%d=%ld", e, errors[e]);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    int nthreads = argc > 3 ? atoi(argv[3]) : 8;
    if (argc < 3 || argc > 4 || nthreads < 1 || nthreads > MAX_THREADS || atol(argv[2]) < 0) {
        fprintf(stderr, "usage: %s PATH K [THREADS (1..%d, default 8)]\n", argv[0], MAX_THREADS);
        return 2;
    }
    path = argv[1];
    calls = atol(argv[2]);
    static struct worker workers[MAX_THREADS];
    pthread_barrier_init(&start_line, NULL, (unsigned)nthreads);
    for (int t = 0; t < nthreads; t++) {
        int err = pthread_create(&workers[t].thread, NULL, work, &workers[t]);
        if (err != 0) {
            fprintf(stderr, "threads: pthread_create: %s\n", strerror(err));
            return 1;
        }
    }
    static long total_errors[MAX_ERRNO];
    long total_ok = 0;
    for (int t = 0; t < nthreads; t++) {
        pthread_join(workers[t].thread, NULL);
        char label[32];
        snprintf(label, sizeof(label), "thread %d", t);
        print_counts(label, workers[t].ok, workers[t].errors);
        total_ok += workers[t].ok;
        for (int e = 0; e < MAX_ERRNO; e++)
            total_errors[e] += workers[t].errors[e];
    }
    print_counts("total", total_ok, total_errors);
    return 0;
}
