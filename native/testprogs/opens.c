/*
 * Test program for the trace supervisor's path rules: opens each path it is given and prints
 * what the kernel (or the supervisor) answered, one line per path, in order:
 *   /etc/hostname: ok
 *   /root/secret: errno EACCES
 *
 * usage: opens [-r|-w|-c] PATH...
 * Paths are opened with openat(AT_FDCWD, PATH, flags) and closed again, so relative paths are
 * relative to the current directory. The flags are O_RDONLY until an option changes them for
 * the paths after it: -r O_RDONLY, -w O_WRONLY, -c O_WRONLY|O_CREAT (mode 0600). Exit status 0
 * whatever the answers (they are the output); 2 for a usage error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strerrorname_np */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int flags_for(const char *opt)
{
    if (!strcmp(opt, "-r"))
        return O_RDONLY;
    if (!strcmp(opt, "-w"))
        return O_WRONLY;
    if (!strcmp(opt, "-c"))
        return O_WRONLY | O_CREAT;
    return -1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s [-r|-w|-c] PATH...\n", argv[0]);
        return 2;
    }
    int flags = O_RDONLY;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            flags = flags_for(argv[i]);
            if (flags < 0) {
                fprintf(stderr, "opens: unknown option %s (use -r, -w or -c)\n", argv[i]);
                return 2;
            }
            continue;
        }
        int fd = openat(AT_FDCWD, argv[i], flags, 0600);
        if (fd >= 0) {
            close(fd);
            printf("%s: ok\n", argv[i]);
        } else {
            int err = errno;
            const char *name = strerrorname_np(err);
            if (name != NULL)
                printf("%s: errno %s\n", argv[i], name);
            else
                printf("%s: errno %d\n", argv[i], err);
        }
        fflush(stdout);
    }
    return 0;
}
