/* Notify mode's fork, handshake and tree supervision (see notify.h). */
#include "notify.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "die.h"

/* Exit status of the launcher when the JVM died: as if SIGKILL had ended the program. */
#define STATUS_SUPERVISOR_GONE (128 + SIGKILL)

static void on_sigchld(int sig)
{
    (void)sig; /* only interrupts ppoll */
}

/* A pidfd for the JVM (the launcher's parent), checked to be that process and not a reaper. */
static int open_supervisor_pidfd(void)
{
    pid_t parent = getppid();
    int fd = (int)syscall(SYS_pidfd_open, parent, 0);
    if (fd < 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "pidfd_open(supervisor)", "notify mode needs Linux 5.6 or later");
    }
    if (getppid() != parent || parent == 1) {
        die(STATUS_LAUNCH_FAILED, "the supervisor went away before the program started");
    }
    return fd;
}

/* A process and its parent, from /proc/PID/stat. */
struct proc_entry {
    pid_t pid;
    pid_t ppid;
};

/* The parent of /proc/PID, or -1 when it is gone or unreadable. */
static pid_t parent_of(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    ssize_t len = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (len <= 0) {
        return -1;
    }
    buf[len] = '\0';
    char *paren = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
    int ppid;
    return paren != NULL && sscanf(paren, ") %*c %d", &ppid) == 1 ? (pid_t)ppid : -1;
}

/* Every process in /proc with its parent; *count entries, malloc'ed (NULL when out of memory). */
static struct proc_entry *scan_proc(size_t *count)
{
    size_t n = 0, cap = 256;
    struct proc_entry *all = malloc(cap * sizeof(*all));
    DIR *proc = opendir("/proc");
    struct dirent *e;
    while (all != NULL && proc != NULL && (e = readdir(proc)) != NULL) {
        pid_t pid = (pid_t)atoi(e->d_name);
        pid_t ppid = pid > 0 ? parent_of(pid) : -1;
        if (ppid < 0) {
            continue;
        }
        if (n == cap) {
            struct proc_entry *more = realloc(all, 2 * cap * sizeof(*all));
            if (more == NULL) {
                break;
            }
            all = more;
            cap *= 2;
        }
        all[n++] = (struct proc_entry){pid, ppid};
    }
    if (proc != NULL) {
        closedir(proc);
    }
    *count = n;
    return all;
}

/* One pass over /proc: SIGKILL every process whose chain of parents leads to this one. */
static void kill_descendants_once(void)
{
    size_t n;
    struct proc_entry *all = scan_proc(&n);
    bool *below = all != NULL ? calloc(n + 1, sizeof(*below)) : NULL;
    for (bool changed = below != NULL; changed;) {
        changed = false;
        for (size_t i = 0; i < n; i++) {
            bool mine = all[i].ppid == getpid();
            for (size_t j = 0; j < n && !mine; j++) {
                mine = below[j] && all[j].pid == all[i].ppid;
            }
            if (mine && !below[i]) {
                below[i] = changed = true;
                kill(all[i].pid, SIGKILL);
            }
        }
    }
    free(below);
    free(all);
}

/*
 * Kills and reaps everything below the launcher. As a child subreaper the launcher inherits the
 * orphans of what it kills, so it repeats until it has no child left.
 */
static void kill_tree(void)
{
    for (;;) {
        kill_descendants_once();
        int status;
        if (waitpid(-1, &status, 0) < 0 && errno != EINTR) {
            return; /* ECHILD: nothing left */
        }
    }
}

/* Reaps what has exited; true (and *status) once P has. */
static bool reap(pid_t child, int *status)
{
    bool done = false;
    int st;
    pid_t w;
    while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
        if (w == child) {
            *status = st;
            done = true;
        }
    }
    return done;
}

static noreturn void watch(pid_t child, int supervisor)
{
    sigset_t chld, unblocked;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &unblocked);
    sigdelset(&unblocked, SIGCHLD);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigchld;
    sigaction(SIGCHLD, &sa, NULL);
    struct pollfd pfd = {.fd = supervisor, .events = POLLIN};
    int status = 0;
    for (;;) {
        if (reap(child, &status)) {
            kill_tree();
            child_exit_like(status);
        }
        pfd.revents = 0;
        if (ppoll(&pfd, 1, NULL, &unblocked) > 0 && pfd.revents != 0) {
            kill_tree(); /* the JVM is gone: nobody answers notifications any more */
            _exit(STATUS_SUPERVISOR_GONE);
        }
    }
}

void notify_fork(const struct notify_handshake *h, struct handshake_fds *fds)
{
    child_open_handshake(h->report_path, h->go_path, fds);
    int supervisor = open_supervisor_pidfd();
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "prctl(PR_SET_CHILD_SUBREAPER)", "this requires Linux 3.4 or later");
    }
    pid_t launcher = getpid();
    child_forward_signals();
    pid_t pid = child_fork();
    if (pid > 0) {
        close(fds->report_fd);
        close(fds->go_fd);
        watch(pid, supervisor);
    }
    close(supervisor);
    child_reset_signals();
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "prctl(PR_SET_PDEATHSIG)", NULL);
    }
    if (getppid() != launcher) {
        die(STATUS_LAUNCH_FAILED, "the launcher went away before the program started");
    }
}

/* Sets close-on-exec again (fds_close_except clears it on fds it keeps). */
static void cloexec(int fd)
{
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "fcntl(F_SETFD)", NULL);
    }
}

int notify_report(const struct handshake_fds *fds)
{
    cloexec(fds->report_fd);
    cloexec(fds->go_fd);
    int lowest = fcntl(fds->go_fd, F_DUPFD_CLOEXEC, 0);
    if (lowest < 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "fcntl(F_DUPFD_CLOEXEC)", NULL);
    }
    close(lowest);
    char line[48];
    int n = snprintf(line, sizeof(line), "%d %d\n", (int)getpid(), lowest);
    if (write(fds->report_fd, line, (size_t)n) != n) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "write(report pipe)", "the supervisor is gone");
    }
    return lowest;
}

void notify_hand_over(const struct handshake_fds *fds, int listener, int reported)
{
    if (listener != reported) {
        die_parts(STATUS_LAUNCH_FAILED, "the seccomp listener did not get the reported fd number; "
                  "refusing to run the program", NULL);
    }
    child_wait_for_go(fds->go_fd);
    close(listener); /* the program must never answer its own notifications */
}
