/*
 * Test program for race-free path decisions on calls other than opens: one thread keeps
 * rewriting a path buffer, switching it between an ALLOWED and a DENIED file, while the main
 * thread unlinks whatever the buffer says. A supervisor that checks the path and then lets the
 * kernel read it again can be walked around (the check sees ALLOWED, the kernel unlinks DENIED);
 * one that makes the call itself on the path it checked cannot.
 *
 * usage: unlinkrace ALLOWED DENIED N
 * Does N unlink(buffer); after each unlink that succeeds it creates ALLOWED again (so that there
 * is always something to remove), and counts removals. It stops early if DENIED is gone.
 * Prints one line:
 *   unlinks=N removed=K refused=R other=O denied_gone=0|1
 * (refused: EACCES from the supervisor; other: any other error, such as ENOENT).
 * Exit status 0 (the counts are the output); 2 for a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUF 4096

static char path[BUF];
static atomic_int done;
static const char *names[2];

static void *flipper(void *arg)
{
    (void)arg;
    for (unsigned i = 0; !atomic_load_explicit(&done, memory_order_relaxed); i++) {
        const char *n = names[i & 1];
        volatile char *p = path; /* every store kept */
        size_t len = strlen(n);
        for (size_t k = 0; k <= len; k++)
            p[k] = n[k];
    }
    return NULL;
}

static void create(const char *name)
{
    int fd = open(name, O_WRONLY | O_CREAT, 0600);
    if (fd >= 0)
        close(fd);
}

int main(int argc, char **argv)
{
    if (argc != 4 || strlen(argv[1]) >= BUF || strlen(argv[2]) >= BUF) {
        fprintf(stderr, "usage: %s ALLOWED DENIED N\n", argv[0]);
        return 2;
    }
    names[0] = argv[1];
    names[1] = argv[2];
    long n = atol(argv[3]);
    strcpy(path, argv[1]);
    create(argv[1]);
    pthread_t t;
    if (pthread_create(&t, NULL, flipper, NULL) != 0) {
        perror("pthread_create");
        return 1;
    }
    long removed = 0, refused = 0, other = 0, i = 0;
    int gone = 0;
    for (; i < n && !gone; i++) {
        if (unlink(path) == 0) {
            removed++;
            create(argv[1]);
        } else if (errno == EACCES) {
            refused++;
        } else {
            other++;
        }
        gone = access(argv[2], F_OK) != 0;
    }
    atomic_store(&done, 1);
    pthread_join(t, NULL);
    printf("unlinks=%ld removed=%ld refused=%ld other=%ld denied_gone=%d\n", i, removed, refused, other, gone);
    return 0;
}
