/* Fatal error output for syscage-launch: one write(2) to stderr, then _exit(2). See die.h. */
#include "die.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MESSAGE_MAX 1024

/* Appends src to buf (of MESSAGE_MAX bytes) at *len, truncating; no library calls but strlen. */
static void append(char *buf, size_t *len, const char *src)
{
    size_t n = strlen(src);
    if (n > MESSAGE_MAX - 1 - *len) {
        n = MESSAGE_MAX - 1 - *len;
    }
    memcpy(buf + *len, src, n);
    *len += n;
}

/* Ends the line and writes it to stderr. */
static void write_line(char *buf, size_t len)
{
    if (len == MESSAGE_MAX - 1) {
        len--; /* keep room for the newline */
    }
    buf[len++] = '\n';
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(STDERR_FILENO, buf + off, len - off);
        if (n <= 0) {
            break; /* stderr is gone or denied; the exit status still tells */
        }
        off += (size_t)n;
    }
}

static noreturn void write_and_exit(int status, char *buf, size_t len)
{
    write_line(buf, len);
    _exit(status);
}

/* The prefix, then the formatted text; returns the length. */
static size_t format_message(char *buf, const char *prefix, const char *fmt, va_list ap)
{
    size_t len = 0;
    append(buf, &len, prefix);
    int n = vsnprintf(buf + len, MESSAGE_MAX - 1 - len, fmt, ap);
    if (n > 0) {
        len += (size_t)n < MESSAGE_MAX - 1 - len ? (size_t)n : MESSAGE_MAX - 2 - len;
    }
    return len;
}

const char *errno_text(int err)
{
    const char *text = strerrordesc_np(err);
    return text != NULL ? text : "Unknown error";
}

noreturn void die(int status, const char *fmt, ...)
{
    char buf[MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    size_t len = format_message(buf, PROGRAM_NAME ": ", fmt, ap);
    va_end(ap);
    write_and_exit(status, buf, len);
}

void warning(const char *fmt, ...)
{
    char buf[MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    size_t len = format_message(buf, PROGRAM_NAME ": warning: ", fmt, ap);
    va_end(ap);
    write_line(buf, len);
}

noreturn void die_errno(int status, int err, const char *call, const char *hint)
{
    char buf[MESSAGE_MAX];
    size_t len = 0;
    append(buf, &len, PROGRAM_NAME ": ");
    append(buf, &len, call);
    append(buf, &len, ": ");
    append(buf, &len, errno_text(err));
    if (hint != NULL) {
        append(buf, &len, ". (Hint: ");
        append(buf, &len, hint);
        append(buf, &len, ".)");
    }
    write_and_exit(status, buf, len);
}

noreturn void die_parts(int status, const char *first, ...)
{
    char buf[MESSAGE_MAX];
    size_t len = 0;
    append(buf, &len, PROGRAM_NAME ": ");
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s != NULL; s = va_arg(ap, const char *)) {
        append(buf, &len, s);
    }
    va_end(ap);
    write_and_exit(status, buf, len);
}
