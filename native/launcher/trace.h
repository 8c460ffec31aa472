/*
 * Trace mode: the supervisor (a thread of syscage's JVM) must be the program's tracer before the
 * filter's trace rules can mean anything, and the JVM must not trace its own child (the JDK
 * reaps it). So the launcher forks: the child waits until the supervisor has seized it and is
 * verifiably its tracer, then goes on to install the filter and exec. The child reports its own
 * pid (as the supervisor's PID namespace numbers it, see contain.h); the launcher stays behind
 * as its parent and a child subreaper (watch.h: the child dies with it) and exits with the child's
 * status.
 */
#ifndef SYSCAGE_TRACE_H
#define SYSCAGE_TRACE_H

#include "child.h"
#include "watch.h"

struct trace_handshake {
    const char *report_path; /* the child writes its pid here ("PID\n") */
    const char *go_path;     /* the child reads one byte here once it has been seized */
    int tracer_tid;          /* the supervisor thread that must be the child's tracer */
};

/*
 * Forks, with the handshake fds open (child_open_handshake). In the launcher, never returns: watches the child as plan says and exits with its
 * status (or dies of the signal that killed it). Returns in the child once it has reported
 * itself and is traced by tracer_tid; dies with status 125 if the supervisor goes away or
 * another process traces it.
 */
void trace_fork_and_wait_for_tracer(const struct trace_handshake *handshake, const struct handshake_fds *fds,
                                    const struct watch_plan *plan);

#endif
