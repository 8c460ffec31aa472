#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "die.h"

static pid_t child_pid;

static void forward_signal(int sig)
{
    if (child_pid > 0) {
        kill(child_pid, sig);
    }
}

static void forward_signals(void)
{
    static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = forward_signal;
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
        sigaction(forwarded[i], &sa, NULL);
    }
}

/* Exit as the child did: same status, or death by the same signal. */
static noreturn void exit_like(int status)
{
    if (WIFEXITED(status)) {
        _exit(WEXITSTATUS(status));
    }
    int sig = WTERMSIG(status);
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    kill(getpid(), sig);
    _exit(128 + sig);
}

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
    exit_like(status);
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
    char c;
    ssize_t n;
    do {
        n = read(go_fd, &c, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) {
        die(STATUS_LAUNCH_FAILED, "the supervisor went away before the program started");
    }
    close(go_fd);
    int tracer = tracer_pid();
    if (tracer != tracer_tid) {
        die(STATUS_LAUNCH_FAILED, "the program's tracer is %d, not the supervisor (%d): refusing to start it",
            tracer, tracer_tid);
    }
}

void trace_fork_and_wait_for_tracer(const struct trace_handshake *h)
{
    int report_fd = open(h->report_path, O_WRONLY | O_CLOEXEC);
    if (report_fd < 0) {
        die(STATUS_LAUNCH_FAILED, "open(%s): %s", h->report_path, errno_text(errno));
    }
    int go_fd = open(h->go_path, O_RDONLY | O_CLOEXEC);
    if (go_fd < 0) {
        die(STATUS_LAUNCH_FAILED, "open(%s): %s", h->go_path, errno_text(errno));
    }
    forward_signals();
    pid_t pid = fork();
    if (pid < 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "fork", NULL);
    }
    if (pid > 0) {
        child_pid = pid;
        close(go_fd);
        run_launcher_side(pid, report_fd);
    }
    close(report_fd);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        sigaction(sig, &dfl, NULL); /* the child keeps no forwarding handler */
    }
    wait_until_seized(go_fd, h->tracer_tid);
}
