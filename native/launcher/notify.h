/*
 * Notify mode: the filter's notify rules are answered by the supervisor in syscage's JVM through
 * a seccomp listener fd. The filter must be installed by the program's own process P, and the
 * JVM must get the listener before P execs. So the launcher forks P and stays behind, and:
 *
 *   P:   closes fds, then reports "PID FD\n" on REPORT: its pid and the number the listener will
 *        get (the lowest free fd, which seccomp() hands out; nothing opens an fd in between)
 *   P:   installs the filter with SECCOMP_FILTER_FLAG_NEW_LISTENER, checks the fd is that number
 *   JVM: pidfd_open(PID) + pidfd_getfd(FD) (retrying until the filter is installed), starts
 *        answering notifications, writes one byte on GO
 *   P:   reads GO, closes its copy of the listener, execs
 *
 * The report is written before the filter is installed: a write under the filter could need a
 * notification answered by a supervisor that has no listener yet. What does run under the
 * filter (prctl(PR_GET_SECCOMP), read(GO), close, execve) is answered, if the policy routes it,
 * by a supervisor that already holds the listener. The listener is close-on-exec, so even a
 * denied close cannot hand it to the program.
 *
 * The launcher stays P's parent and a child subreaper: when P exits, or when the JVM dies (its
 * pidfd polls readable), it SIGKILLs every process left below it, reaps them, and exits like P
 * (or with 137). P gets PR_SET_PDEATHSIG(SIGKILL) in case the launcher itself is killed.
 */
#ifndef SYSCAGE_NOTIFY_H
#define SYSCAGE_NOTIFY_H

#include "child.h"

struct notify_handshake {
    const char *report_path; /* P writes "PID FD\n" here */
    const char *go_path;     /* P reads one byte here once the JVM holds the listener */
};

/*
 * Forks. In the launcher never returns: watches the JVM and P, kills what is left of the tree
 * and exits like P. Returns in P with the handshake fds open (close-on-exec).
 */
void notify_fork(const struct notify_handshake *handshake, struct handshake_fds *fds);

/*
 * In P, after the other fds are closed and right before the filter is installed: reports
 * "PID FD\n" with the number the listener will get, and returns that number.
 */
int notify_report(const struct handshake_fds *fds);

/*
 * In P, under the filter: checks the listener got the reported number, waits for the go byte,
 * closes the listener. Async-signal-safe. Dies with 125 if anything is off.
 */
void notify_hand_over(const struct handshake_fds *fds, int listener, int reported);

#endif
