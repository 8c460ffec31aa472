/*
 * Test program for opens the supervisor makes on the program's behalf: opens PATH twice, with
 * and without O_CLOEXEC, and prints for each what was read and the fd's flags as the kernel
 * reports them in /proc/self/fdinfo (octal, as printed there):
 *   plain: fd=3 flags=0100000 read=<first line>
 *   cloexec: fd=4 flags=02100000 read=<first line>
 * or "plain: errno ENOENT" when the open failed. Exit status 0; 2 for a usage error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strerrorname_np */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void report(const char *label, const char *path, int flags)
{
    int fd = openat(AT_FDCWD, path, flags);
    if (fd < 0) {
        printf("%s: errno %s\n", label, strerrorname_np(errno));
        return;
    }
    char line[256] = "";
    ssize_t r = read(fd, line, sizeof line - 1);
    line[r > 0 ? r : 0] = '\0';
    line[strcspn(line, "\n")] = '\0';
    char info[64], text[512] = "";
    snprintf(info, sizeof info, "/proc/self/fdinfo/%d", fd);
    FILE *f = fopen(info, "r");
    char fdflags[32] = "?";
    while (f && fgets(text, sizeof text, f))
        if (sscanf(text, "flags: %31s", fdflags) == 1)
            break;
    if (f)
        fclose(f);
    printf("%s: fd=%d flags=%s read=%s\n", label, fd, fdflags, line);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH\n", argv[0]);
        return 2;
    }
    report("plain", argv[1], O_RDONLY);
    report("cloexec", argv[1], O_RDONLY | O_CLOEXEC);
    return 0;
}
