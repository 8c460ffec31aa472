/*
 * Test program for write-side races: while it writes, one thread keeps rewriting the path
 * buffer between ALLOWED and DENIED, and another keeps turning the symlink LINK between a
 * file next to it and DENIED. The main thread, N times each, opens the buffer's path and LINK
 * with O_WRONLY|O_CREAT|O_APPEND and writes one byte, truncates the buffer's path, and makes a
 * directory named by the buffer with "-dir" appended. A sandbox that checks a path and then
 * lets the kernel read it again can be walked around; one the kernel enforces cannot.
 *
 * usage: writerace ALLOWED DENIED LINK N
 * Prints one line: "writes=W refused=R" (W: calls that succeeded, R: calls that failed).
 * Whether DENIED was reached is for the caller to check (its size, its "-dir" sibling).
 * Exit status 0; 2 for a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flip.h"

static const char *link_path;
static char link_target[BUF];

/* Turns LINK between a file beside it and DENIED, through rename of a fresh symlink. */
static void *relinker(void *arg)
{
    const char *denied = arg;
    char tmp[BUF + 8];
    snprintf(tmp, sizeof(tmp), "%s.new", link_path);
    for (unsigned i = 0; !atomic_load_explicit(&done, memory_order_relaxed); i++) {
        unlink(tmp);
        if (symlink((i & 1) ? denied : link_target, tmp) == 0) {
            rename(tmp, link_path);
        }
    }
    return NULL;
}

static void count(int ok, long *writes, long *refused)
{
    if (ok) {
        (*writes)++;
    } else {
        (*refused)++;
    }
}

static int append_one(const char *p)
{
    int fd = open(p, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd < 0) {
        return 0;
    }
    int ok = write(fd, "x", 1) == 1;
    close(fd);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 5 || strlen(argv[1]) >= BUF - 8 || strlen(argv[2]) >= BUF - 8 || strlen(argv[3]) >= BUF - 16) {
        fprintf(stderr, "usage: %s ALLOWED DENIED LINK N\n", argv[0]);
        return 2;
    }
    names[0] = argv[1];
    names[1] = argv[2];
    link_path = argv[3];
    snprintf(link_target, sizeof(link_target), "%s.target", link_path);
    strcpy(path, argv[1]);
    long n = atol(argv[4]);
    pthread_t t1, t2;
    pthread_create(&t1, NULL, flipper, NULL);
    pthread_create(&t2, NULL, relinker, argv[2]);
    long writes = 0, refused = 0;
    char dir[BUF + 8];
    for (long i = 0; i < n; i++) {
        count(append_one(path), &writes, &refused);
        count(append_one(link_path), &writes, &refused);
        count(truncate(path, 0) == 0, &writes, &refused);
        snprintf(dir, sizeof(dir), "%s-dir", path);
        if (mkdir(dir, 0700) == 0) {
            writes++;
            rmdir(dir);
        } else {
            refused++;
        }
    }
    atomic_store(&done, 1);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("writes=%ld refused=%ld\n", writes, refused);
    return 0;
}
