/*
 * Notify mode: the filter's notify rules are answered by the supervisor in syscage's JVM through
 * a seccomp listener fd. The filter must be installed by the program's own process P, and the
 * JVM must get the listener before P execs. So the launcher forks P and stays behind, and:
 *
 *   P:   closes fds; with --notify-socket connects to the JVM's AF_UNIX socket; then reports
 *        "PID FD SOCK\n" on REPORT: its pid, the number the listener will get (the lowest free
 *        fd, which seccomp() hands out; nothing opens an fd in between, and if the Landlock
 *        ruleset's fd, closed in between, is lower, its number) and the socket's (-1)
 *   JVM: pidfd_open(PID), chooses the handoff and writes its byte on GO: 'p' (pidfd_getfd) or
 *        's' (SCM_RIGHTS, when pidfd_getfd is refused or missing, or asked for)
 *   P:   reads that byte (still before the filter), sets no_new_privs, enters its Landlock domain
 *        (if any), installs the filter with SECCOMP_FILTER_FLAG_NEW_LISTENER, checks the listener
 *        got the reported number
 *   'p': JVM: pidfd_getfd(FD) (retrying until the filter is installed)
 *   's': P:   sendmsg(SCM_RIGHTS) of the listener on the socket, closes its copy
 *        JVM: accepts only P (SO_PEERCRED), recvmsg, checks it got a seccomp listener
 *   JVM: starts answering notifications, writes 'g' on GO
 *   P:   reads 'g', closes the listener and the socket, execs
 *
 * Everything that can be done before the filter is: a write or read under the filter could need
 * a notification answered by a supervisor that has no listener yet. What runs under the filter
 * before the JVM holds the listener is prctl(PR_GET_SECCOMP) and, for 's', sendmsg; the rest
 * (read(GO), close, execve) is answered, if the policy routes it, by a supervisor that holds it.
 * The listener and the socket are close-on-exec, so even a denied close cannot hand them to the
 * program.
 *
 * The launcher stays P's parent and a child subreaper (watch.h): when P exits, or when the JVM
 * dies (its pidfd polls readable), it SIGKILLs every process left below it, reaps them, and exits
 * like P (or with 137). P gets PR_SET_PDEATHSIG(SIGKILL) in case the launcher itself is killed.
 * Under --contain this happens inside the run's PID namespace, init in the launcher's place, and
 * PID is the pid the JVM sees (contain_outer_pid).
 */
#ifndef SYSCAGE_NOTIFY_H
#define SYSCAGE_NOTIFY_H

#include <stdbool.h>

#include "child.h"
#include "watch.h"

struct notify_handshake {
    const char *report_path; /* P writes "PID FD SOCK\n" here */
    const char *go_path;     /* P reads the handoff byte here, then 'g' once the JVM holds the listener */
    const char *socket_path; /* --notify-socket: the JVM's AF_UNIX socket for SCM_RIGHTS, or NULL */
    bool interruptible;      /* --notify-interruptible: no WAIT_KILLABLE_RECV */
};

/* The bytes the JVM writes on GO. */
enum notify_go_byte {
    NOTIFY_HANDOFF_PIDFD = 'p', /* the JVM copies the listener with pidfd_getfd */
    NOTIFY_HANDOFF_SCM_RIGHTS = 's', /* P sends the listener on the socket */
    NOTIFY_GO = 'g', /* the JVM holds the listener and answers notifications: exec */
};

/* What P knows before installing the filter. */
struct notify_handoff {
    int reported; /* the fd number the listener will get */
    int socket_fd; /* connected to the JVM's socket (close-on-exec), or -1 */
    char how; /* NOTIFY_HANDOFF_PIDFD or NOTIFY_HANDOFF_SCM_RIGHTS */
};

/*
 * Forks, with the handshake fds open (child_open_handshake, before --contain's namespaces hide
 * the JVM's /proc/PID/fd). In the launcher never returns: watches P (and the JVM, as plan says),
 * kills what is left of the tree and exits like P. Returns in P.
 */
void notify_fork(const struct handshake_fds *fds, const struct watch_plan *plan);

/*
 * In P, after the other fds are closed and right before the filter is installed: connects to
 * the socket (if any), reports "PID FD SOCK\n" (FD: the number the listener will get), waits for
 * the JVM's choice of handoff. closing_fd is an fd open now that P closes before seccomp() (the
 * Landlock ruleset's), or -1: the listener may get its number. Dies with 125 if anything fails.
 */
void notify_prepare(const struct notify_handshake *handshake, const struct handshake_fds *fds, int closing_fd,
                    struct notify_handoff *out);

/*
 * In P, under the filter: checks the listener got the reported number, sends it for 's', waits
 * for 'g', closes the listener and the socket. Async-signal-safe. Dies with 125 if anything is
 * off (a denied sendmsg included), so the program never runs without a supervisor.
 */
void notify_hand_over(const struct handshake_fds *fds, const struct notify_handoff *handoff, int listener);

#endif
