/* Trace mode's fork and handshake (see trace.h). */
#include "trace.h"

#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "child.h"
#include "contain.h"
#include "die.h"

/* The TracerPid line of /proc/self/status, as the supervisor's PID namespace numbers it. */
static int tracer_pid(void)
{
    int fd = contain_open_outer_status();
    FILE *f = fd >= 0 ? fdopen(fd, "re") : NULL;
    if (f == NULL) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "open(/proc/self/status)", NULL);
    }
    char line[256];
    int tracer = -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "TracerPid: %d", &tracer) == 1) {
            break;
        }
    }
    fclose(f);
    return tracer;
}

/* In the child: its pid on the report pipe, then the go byte once the supervisor has seized it. */
static void report_and_wait_until_seized(const struct handshake_fds *fds, int tracer_tid)
{
    char line[32];
    int n = snprintf(line, sizeof(line), "%d\n", (int)contain_outer_pid());
    if (write(fds->report_fd, line, (size_t)n) != n) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "write(report pipe)", "the supervisor is gone");
    }
    close(fds->report_fd);
    child_wait_for_go(fds->go_fd);
    close(fds->go_fd);
    int tracer = tracer_pid();
    if (tracer != tracer_tid) {
        die(STATUS_LAUNCH_FAILED, "the program's tracer is %d, not the supervisor (%d): refusing to start it",
            tracer, tracer_tid);
    }
}

void trace_fork_and_wait_for_tracer(const struct trace_handshake *h, const struct handshake_fds *handshake,
                                    const struct watch_plan *plan)
{
    struct handshake_fds fds = *handshake;
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "prctl(PR_SET_CHILD_SUBREAPER)", "this requires Linux 3.4 or later");
    }
    /* as notify mode's and --contain's: the child also dies with the launcher (PR_SET_PDEATHSIG) */
    watch_fork(plan, fds.go_fd, fds.report_fd); /* returns in the child only */
    report_and_wait_until_seized(&fds, h->tracer_tid);
}
