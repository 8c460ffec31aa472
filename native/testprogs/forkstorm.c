/*
 * Test program for the trace supervisor: many processes at once, each making traced calls,
 * so the supervisor must follow forks (new tracees' first stops arrive in any order with their
 * calls) and exits, and the audit log can be counted against what the processes did.
 *
 * usage: forkstorm M K [PATH]          (PATH default /etc/hostname)
 * Forks M children, all running together; each does K openat(AT_FDCWD, PATH, O_RDONLY) + close
 * and exits 0. The parent waits for all of them and prints one line:
 *   forkstorm: children=M exited_ok=M ok=M*K failed=0
 * ok and failed count the children's openat results (kept in shared memory). Exit status 0 if
 * every child was forked and exited 0, else 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct totals {
    long ok;
    long failed;
};

static void run_child(struct totals *totals, const char *path, long calls)
{
    long ok = 0, failed = 0;
    for (long i = 0; i < calls; i++) {
        int fd = openat(AT_FDCWD, path, O_RDONLY);
        if (fd >= 0) {
            ok++;
            close(fd);
        } else {
            failed++;
        }
    }
    __atomic_fetch_add(&totals->ok, ok, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&totals->failed, failed, __ATOMIC_SEQ_CST);
    _exit(0);
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4 || atol(argv[1]) < 1 || atol(argv[2]) < 0) {
        fprintf(stderr, "usage: %s M K [PATH]   (M children >= 1, K openat each)\n", argv[0]);
        return 2;
    }
    long children = atol(argv[1]), calls = atol(argv[2]);
    const char *path = argc > 3 ? argv[3] : "/etc/hostname";
    struct totals *totals = mmap(NULL, sizeof(*totals), PROT_READ | PROT_WRITE,
                                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (totals == MAP_FAILED) {
        fprintf(stderr, "forkstorm: mmap: %s\n", strerror(errno));
        return 1;
    }
    long forked = 0, exited_ok = 0;
    for (long c = 0; c < children; c++) {
        pid_t pid = fork();
        if (pid == 0)
            run_child(totals, path, calls);
        if (pid < 0) {
            fprintf(stderr, "forkstorm: fork (child %ld): %s\n", c, strerror(errno));
            break;
        }
        forked++;
    }
    for (;;) {
        int status;
        pid_t pid = wait(&status);
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid < 0)
            break; /* ECHILD: all reaped */
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            exited_ok++;
    }
    printf("forkstorm: children=%ld exited_ok=%ld ok=%ld failed=%ld\n", forked, exited_ok,
           totals->ok, totals->failed);
    return forked == children && exited_ok == children ? 0 : 1;
}
