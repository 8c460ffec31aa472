/* The fork-and-stay-behind pieces shared by trace and notify mode (see child.h). */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "contain.h"
#include "die.h"
#include "watch.h"

void child_open_handshake(const char *report_path, const char *go_path, struct handshake_fds *fds)
{
    fds->report_fd = open(report_path, O_WRONLY | O_CLOEXEC);
    if (fds->report_fd < 0) {
        die(STATUS_LAUNCH_FAILED, "open(%s): %s", report_path, errno_text(errno));
    }
    fds->go_fd = open(go_path, O_RDONLY | O_CLOEXEC);
    if (fds->go_fd < 0) {
        die(STATUS_LAUNCH_FAILED, "open(%s): %s", go_path, errno_text(errno));
    }
}

pid_t child_fork(void)
{
    pid_t pid = fork();
    if (pid < 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "fork", NULL);
    }
    if (pid > 0) {
        watch_set_target(pid);
    } else {
        contain_remember_outer_pid();
    }
    return pid;
}

noreturn void child_exit_like(int status)
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

void child_reset_signals(void)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        sigaction(sig, &dfl, NULL); /* the child keeps none of the launcher's handlers */
    }
    child_clear_signal_mask();
}

void child_clear_signal_mask(void)
{
    /* the JVM blocks SIGQUIT in its threads, and its children inherit that: the program must not */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

char child_wait_for_go(int go_fd)
{
    char c;
    ssize_t n;
    do {
        n = read(go_fd, &c, 1);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "read(go pipe)", "the policy may deny read");
    }
    if (n != 1) {
        die_parts(STATUS_LAUNCH_FAILED, "the supervisor went away before the program started", NULL);
    }
    return c;
}
