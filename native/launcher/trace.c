#include "trace.h"

#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "die.h"

static noreturn void run_launcher_side(pid_t pid, int report_fd)
{
    char line[32];
    int n = snprintf(line, sizeof(line), "%d\n", (int)pid);
    if (write(report_fd, line, (size_t)n) != n) {
        int err = errno;
        kill(pid, SIGKILL);
        die_errno(STATUS_LAUNCH_FAILED, err, "write(report pipe)", "the supervisor is gone");
    }
    close(report_fd);
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            die_errno(STATUS_LAUNCH_FAILED, errno, "waitpid", NULL);
        }
    }
    child_exit_like(status);
}

/* The TracerPid line of /proc/self/status. */
static int tracer_pid(void)
{
    FILE *f = fopen("/proc/self/status", "re");
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

static void wait_until_seized(int go_fd, int tracer_tid)
{
    child_wait_for_go(go_fd);
    close(go_fd);
    int tracer = tracer_pid();
    if (tracer != tracer_tid) {
        die(STATUS_LAUNCH_FAILED, "the program's tracer is %d, not the supervisor (%d): refusing to start it",
            tracer, tracer_tid);
    }
}

void trace_fork_and_wait_for_tracer(const struct trace_handshake *h)
{
    struct handshake_fds fds;
    child_open_handshake(h->report_path, h->go_path, &fds);
    child_forward_signals();
    pid_t pid = child_fork();
    if (pid > 0) {
        close(fds.go_fd);
        run_launcher_side(pid, fds.report_fd);
    }
    close(fds.report_fd);
    child_reset_signals();
    wait_until_seized(fds.go_fd, h->tracer_tid);
}
