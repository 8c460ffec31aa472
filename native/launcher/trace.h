/*
 * Trace mode: the supervisor (a thread of syscage's JVM) must be the program's tracer before the
 * filter's trace rules can mean anything, and the JVM must not trace its own child (the JDK
 * reaps it). So the launcher forks: the child waits until the supervisor has seized it and is
 * verifiably its tracer, then goes on to install the filter and exec; the launcher itself
 * reports the child's pid, passes signals on, and exits with the child's status.
 */
#ifndef SYSCAGE_TRACE_H
#define SYSCAGE_TRACE_H

struct trace_handshake {
    const char *report_path; /* the launcher writes the child's pid here ("PID\n") */
    const char *go_path;     /* the child reads one byte here once it has been seized */
    int tracer_tid;          /* the supervisor thread that must be the child's tracer */
};

/*
 * Forks. In the launcher, never returns: reports the child, waits for it, and exits with its
 * status (or dies of the signal that killed it). Returns in the child once it is traced by
 * tracer_tid; dies with status 125 if the supervisor goes away or another process traces it.
 */
void trace_fork_and_wait_for_tracer(const struct trace_handshake *handshake);

#endif
