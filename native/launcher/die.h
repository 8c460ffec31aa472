/*
 * Fatal errors of syscage-launch. Every message goes to stderr with one write(2) and the process
 * ends with _exit(2), so these functions are also safe after the filter is installed, where no
 * stdio or malloc may run. Only die() and warning() format with vsnprintf and are for use before
 * install; warning() is the one that returns.
 */
#ifndef SYSCAGE_DIE_H
#define SYSCAGE_DIE_H

#include <stdnoreturn.h>

/* Exit statuses of the launcher itself; after exec the status is the program's own. */
enum launch_status {
    STATUS_LAUNCH_FAILED = 125, /* usage, filter, prctl or seccomp failed: the program never ran */
    STATUS_CANNOT_EXECUTE = 126, /* found but not executable, or execve failed */
    STATUS_NOT_FOUND = 127, /* no such program */
};

#define PROGRAM_NAME "syscage-launch"

/* "syscage-launch: " + printf-style text. Before the filter is installed only. */
noreturn void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "syscage-launch: warning: " + printf-style text, one line; the launcher goes on. Before install only. */
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * "syscage-launch: CALL: STRERROR" and, when hint is not NULL, ". (Hint: HINT.)".
 * Async-signal-safe: usable after the filter is installed.
 */
noreturn void die_errno(int status, int err, const char *call, const char *hint);

/*
 * "syscage-launch: " followed by the given strings, up to a NULL, and a newline.
 * Async-signal-safe: usable after the filter is installed.
 */
noreturn void die_parts(int status, const char *first, ...) __attribute__((sentinel));

/* The English text for an errno value (no locale, no allocation). */
const char *errno_text(int err);

#endif
