/*
 * Finding and running the program: the PATH lookup happens before the filter is installed (it
 * needs stat, access and malloc), the execve after, with nothing in between but the install.
 */
#ifndef SYSCAGE_EXEC_H
#define SYSCAGE_EXEC_H

#include <stdnoreturn.h>

/* PATH when the environment has none, as the shells use. */
#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/*
 * The file to execute for prog, looked up like a shell: a name with '/' is used as is, otherwise
 * the first regular file with execute permission in $PATH. Dies with 127 when there is none, or
 * 126 when one was found but cannot be executed (no permission, a directory).
 */
const char *exec_resolve(const char *prog);

/*
 * execve(path, argv, environ). Async-signal-safe, for use under the filter: on failure it
 * reports with write(2) and exits 127 (ENOENT, ENOTDIR) or 126 (anything else).
 */
noreturn void exec_program(const char *path, char *const argv[]);

#endif
