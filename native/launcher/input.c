/* Reads an input whole from a path or an inherited fd (see input.h). Runs before the filter. */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "die.h"

const char *input_name(const struct input_source *source, char *buf, size_t size)
{
    if (source->path != NULL) {
        return source->path;
    }
    snprintf(buf, size, "fd %d", source->fd);
    return buf;
}

static int open_source(const struct input_source *source)
{
    if (source->path == NULL) {
        return source->fd;
    }
    int fd = open(source->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        char call[512];
        snprintf(call, sizeof(call), "open(%s)", source->path);
        die_errno(STATUS_LAUNCH_FAILED, errno, call, NULL);
    }
    return fd;
}

/* Reads to end of file: up to max bytes into buf, then counts what follows. */
static size_t read_all(int fd, unsigned char *buf, size_t max, const char *name)
{
    size_t total = 0;
    unsigned char scratch[4096];
    for (;;) {
        unsigned char *dst = total < max ? buf + total : scratch;
        size_t room = total < max ? max - total : sizeof(scratch);
        ssize_t n = read(fd, dst, room);
        if (n == 0) {
            return total;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            char call[512];
            snprintf(call, sizeof(call), "read(%s)", name);
            die_errno(STATUS_LAUNCH_FAILED, errno, call, NULL);
        }
        total += (size_t)n;
    }
}

unsigned char *input_read(const struct input_source *source, size_t max, size_t *total)
{
    char buf[32];
    const char *name = input_name(source, buf, sizeof(buf));
    unsigned char *bytes = malloc(max + 1);
    if (bytes == NULL) {
        die_errno(STATUS_LAUNCH_FAILED, ENOMEM, "malloc", NULL);
    }
    int fd = open_source(source);
    *total = read_all(fd, bytes, max, name);
    if (close(fd) != 0 && errno != EINTR) {
        char call[512];
        snprintf(call, sizeof(call), "close(%s)", name);
        die_errno(STATUS_LAUNCH_FAILED, errno, call, NULL);
    }
    bytes[*total < max ? *total : max] = '\0';
    return bytes;
}
