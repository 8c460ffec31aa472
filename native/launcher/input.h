/*
 * Reading an input the launcher is given whole, before anything else happens: the compiled
 * filter and the Landlock ruleset each come from a path (--filter FILE) or an inherited fd
 * (--filter-fd N), are read to end of file, and their fd is closed.
 */
#ifndef SYSCAGE_INPUT_H
#define SYSCAGE_INPUT_H

#include <stddef.h>

/* Where an input comes from: a path (fd < 0) or an already open fd (path == NULL). */
struct input_source {
    const char *path;
    int fd;
};

/* Whether an option named this input. */
static inline int input_given(const struct input_source *source)
{
    return source->path != NULL || source->fd >= 0;
}

/* "FILE" or "fd N", for messages; buf holds the latter. */
const char *input_name(const struct input_source *source, char *buf, size_t size);

/*
 * Opens the path (or takes the fd), reads to end of file and closes it. Keeps at most max bytes
 * in a malloc'ed buffer (max + 1 bytes, NUL-terminated after what was kept) and counts, without
 * keeping, whatever follows, so an over-long input is reported with its real length in *total.
 * Dies with status 125 naming open(FILE), read(NAME) or close(NAME) and the errno.
 */
unsigned char *input_read(const struct input_source *source, size_t max, size_t *total);

#endif
