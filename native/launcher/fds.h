/*
 * Closing inherited file descriptors: the program gets stdin, stdout, stderr and the fds named
 * with --keep-fd, nothing else the launcher's parent happened to leave open.
 */
#ifndef SYSCAGE_FDS_H
#define SYSCAGE_FDS_H

#include <stddef.h>

/*
 * Checks that each kept fd is open and clears its close-on-exec flag (so it is really handed
 * on), then closes every other fd >= 3 but own_fd: one the launcher itself still needs until
 * just before exec (the Landlock ruleset's), left open and close-on-exec; -1 for none. Dies with
 * status 125 on failure.
 */
void fds_close_except(int *keep, size_t count, int own_fd);

#endif
