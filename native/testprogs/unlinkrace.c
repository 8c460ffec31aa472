/*
 * Test program for race-free path decisions on calls other than opens: one thread keeps
 * rewriting a path buffer, switching it between an ALLOWED and a DENIED path, while the main
 * thread calls unlink (default), rename (-r SRC: SRC to whatever the buffer says) or truncate
 * (-t: to length 0). A supervisor
 * that checks the path and then lets the kernel read it again can be walked around (the check
 * sees ALLOWED, the kernel acts on DENIED); one that makes the call itself on the path it
 * checked cannot.
 *
 * usage: unlinkrace [-r SRC | -t] ALLOWED DENIED N
 * unlink: DENIED is a file that must survive; after each unlink that succeeds ALLOWED is created
 * again. rename: DENIED is a path that must never come to exist; after each rename that
 * succeeds SRC is created again. truncate: DENIED is a non-empty file that must keep its size.
 * Stops early on a breach. Prints one line:
 *   calls=N done=K refused=R other=O breach=0|1
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
#include <sys/stat.h>
#include <unistd.h>

#include "flip.h"

static void create(const char *name)
{
    int fd = open(name, O_WRONLY | O_CREAT, 0600);
    if (fd >= 0)
        close(fd);
}

int main(int argc, char **argv)
{
    const char *src = NULL;
    int argi = 1, trunc = 0;
    if (argc > 2 && !strcmp(argv[1], "-r")) {
        src = argv[2];
        argi = 3;
    } else if (argc > 1 && !strcmp(argv[1], "-t")) {
        trunc = 1;
        argi = 2;
    }
    if (argc - argi != 3 || strlen(argv[argi]) >= BUF || strlen(argv[argi + 1]) >= BUF) {
        fprintf(stderr, "usage: %s [-r SRC | -t] ALLOWED DENIED N\n", argv[0]);
        return 2;
    }
    const char *allowed = argv[argi], *denied = argv[argi + 1];
    names[0] = allowed;
    names[1] = denied;
    long n = atol(argv[argi + 2]);
    strcpy(path, allowed);
    create(src ? src : allowed);
    pthread_t t;
    if (pthread_create(&t, NULL, flipper, NULL) != 0) {
        perror("pthread_create");
        return 1;
    }
    long ok = 0, refused = 0, other = 0, i = 0;
    int breach = 0;
    for (; i < n && !breach; i++) {
        int r = src ? rename(src, path) : trunc ? truncate(path, 0) : unlink(path);
        if (r == 0) {
            ok++;
            if (!trunc)
                create(src ? src : allowed);
        } else if (errno == EACCES) {
            refused++;
        } else {
            other++;
        }
        struct stat st;
        if (trunc)
            breach = stat(denied, &st) != 0 || st.st_size == 0;
        else
            breach = src ? access(denied, F_OK) == 0 : access(denied, F_OK) != 0;
    }
    atomic_store(&done, 1);
    pthread_join(t, NULL);
    printf("calls=%ld done=%ld refused=%ld other=%ld breach=%d\n", i, ok, refused, other, breach);
    return 0;
}
