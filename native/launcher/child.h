/*
 * What trace and notify mode share: the launcher forks the program's process and stays behind
 * as its parent, so the supervisor can get hold of the process before it execs. These are the
 * launcher side's pieces (passing signals on, exiting like the child) and the child's (a clean
 * signal state, the one-byte "go" from the supervisor).
 */
#ifndef SYSCAGE_CHILD_H
#define SYSCAGE_CHILD_H

#include <stdnoreturn.h>
#include <sys/types.h>

/* The two handshake pipes, opened by path (usually /proc/JVM_PID/fd/N): write end, read end. */
struct handshake_fds {
    int report_fd;
    int go_fd;
};

/* Opens REPORT for writing and GO for reading, close-on-exec; dies with 125 on failure. */
void child_open_handshake(const char *report_path, const char *go_path, struct handshake_fds *fds);

/* fork(), or die with 125; in the parent, signals go to the child from now on (watch.h). */
pid_t child_fork(void);

/* In the launcher: exit as the child did, with its status or by the signal that killed it. */
noreturn void child_exit_like(int status);

/* In the child: default dispositions for every signal, and no signal blocked. */
void child_reset_signals(void);

/*
 * No signal blocked: the program starts with an empty signal mask, whatever its caller had (a
 * JVM blocks SIGQUIT in its threads, and a process it starts inherits that).
 */
void child_clear_signal_mask(void);

/*
 * In the child: waits for the supervisor's next byte on go_fd and returns it. Async-signal-safe
 * (usable under the filter). Dies with 125 when the supervisor went away (end of file) or the
 * read failed.
 */
char child_wait_for_go(int go_fd);

#endif
