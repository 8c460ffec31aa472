/*
 * Test program for race-free path decisions: one thread keeps rewriting a path buffer, switching
 * it between an ALLOWED and a DENIED file, while the main thread opens whatever the buffer says
 * and reads what it got. A supervisor that checks the path and then lets the kernel read it
 * again can be walked around (the check sees ALLOWED, the kernel opens DENIED); one that opens
 * the file it checked cannot.
 *
 * usage: pathrace ALLOWED DENIED MARKER N
 * Does N openat(AT_FDCWD, buffer, O_RDONLY); each file that opens is read (up to 255 bytes) and
 * counted as a leak when its content contains MARKER, else as ok. Prints one line:
 *   opens=N ok=K leaks=L errors=E
 * and, if there was a leak, a second line with the first bytes of the leaked content:
 *   leaked: <bytes>
 * Exit status 0 (the counts are the output); 2 for a usage error.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flip.h"

int main(int argc, char **argv)
{
    if (argc != 5 || strlen(argv[1]) >= BUF || strlen(argv[2]) >= BUF) {
        fprintf(stderr, "usage: %s ALLOWED DENIED MARKER N\n", argv[0]);
        return 2;
    }
    names[0] = argv[1];
    names[1] = argv[2];
    const char *marker = argv[3];
    long n = atol(argv[4]);
    strcpy(path, argv[1]);
    pthread_t t;
    if (pthread_create(&t, NULL, flipper, NULL) != 0) {
        perror("pthread_create");
        return 1;
    }
    long ok = 0, leaks = 0, errors = 0;
    char first[256] = "";
    for (long i = 0; i < n; i++) {
        int fd = openat(AT_FDCWD, path, O_RDONLY);
        if (fd < 0) {
            errors++;
            continue;
        }
        char got[256];
        ssize_t r = read(fd, got, sizeof got - 1);
        close(fd);
        got[r > 0 ? r : 0] = '\0';
        if (strstr(got, marker)) {
            if (leaks++ == 0)
                snprintf(first, sizeof first, "%s", got);
        } else {
            ok++;
        }
    }
    atomic_store(&done, 1);
    pthread_join(t, NULL);
    printf("opens=%ld ok=%ld leaks=%ld errors=%ld\n", n, ok, leaks, errors);
    if (leaks)
        printf("leaked: %.40s\n", first);
    return 0;
}
