/*
 * Test program for syscall families: opens each path it is given for reading through three
 * members of the open family, with raw syscalls so libc cannot pick another one, and prints
 * what the kernel (or the supervisor) answered, one line per path and syscall:
 *   /tmp/x open: ok
 *   /tmp/x openat: errno EACCES
 *   /tmp/x openat2: errno EACCES
 *
 * usage: family-open PATH...
 * open is SYS_open(PATH, O_RDONLY), openat is SYS_openat(AT_FDCWD, PATH, O_RDONLY), openat2 is
 * SYS_openat2(AT_FDCWD, PATH, {O_RDONLY, 0, 0}, sizeof). Exit status 0 whatever the answers
 * (they are the output); 2 for a usage error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strerrorname_np */
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long open_with(const char *how_name, const char *path)
{
    if (!strcmp(how_name, "open"))
        return syscall(SYS_open, path, O_RDONLY);
    if (!strcmp(how_name, "openat"))
        return syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = O_RDONLY;
    return syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
}

static void report(const char *path, const char *how_name)
{
    long fd = open_with(how_name, path);
    if (fd >= 0) {
        close((int)fd);
        printf("%s %s: ok\n", path, how_name);
        return;
    }
    int err = errno;
    const char *name = strerrorname_np(err);
    if (name != NULL)
        printf("%s %s: errno %s\n", path, how_name, name);
    else
        printf("%s %s: errno %d\n", path, how_name, err);
}

int main(int argc, char **argv)
{
    static const char *const calls[] = {"open", "openat", "openat2"};
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++)
        for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++)
            report(argv[i], calls[c]);
    return fflush(stdout) == 0 ? 0 : 1;
}
