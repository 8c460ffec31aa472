/* Signals passed on, orphans reaped, the tree ended (see watch.h). */
#include "watch.h"

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
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "die.h"

/* Exit status when the launcher ended the tree: as if SIGKILL had ended the program. */
#define STATUS_TREE_KILLED (128 + SIGKILL)

/* A terminal's signal and syscage's copy of it, this close together, are one event. */
#define SAME_EVENT_NS 1000000000L

static volatile pid_t target;
static volatile sig_atomic_t end_tree; /* set by a second SIGINT or the grace period's end */
static volatile sig_atomic_t terminations; /* SIGINT, SIGTERM, SIGHUP, SIGQUIT events so far */
static volatile sig_atomic_t interrupts; /* SIGINT events so far */
static unsigned int grace_seconds;
static bool outermost; /* the process syscage signals: it counts SIGINTs and keeps the grace period */
static struct timespec from_terminal[NSIG]; /* when the terminal last sent each signal */

static const int relayed[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

static bool terminating(int sig)
{
    return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT;
}

static long nanos_between(const struct timespec *a, const struct timespec *b)
{
    return (b->tv_sec - a->tv_sec) * 1000000000L + (b->tv_nsec - a->tv_nsec);
}

static void relay(int sig, siginfo_t *info, void *context)
{
    (void)context;
    int saved = errno;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    /* the terminal driver's signals come from the kernel (SI_KERNEL), kill(2)'s from a process */
    bool terminal = info != NULL && info->si_code == SI_KERNEL;
    bool copy = !terminal && from_terminal[sig].tv_sec != 0 && nanos_between(&from_terminal[sig], &now) < SAME_EVENT_NS;
    if (terminal) {
        from_terminal[sig] = now;
    } else if (!copy && target > 0) {
        kill(target, sig);
    }
    if (!copy && terminating(sig) && outermost) {
        if (sig == SIGINT && ++interrupts >= 2) {
            end_tree = 1;
        }
        if (terminations++ == 0 && grace_seconds > 0) {
            alarm(grace_seconds);
        }
    }
    errno = saved;
}

static void on_alarm(int sig)
{
    (void)sig;
    end_tree = 1;
}

static void on_sigchld(int sig)
{
    (void)sig; /* only interrupts ppoll */
}

void watch_relay_signals(const struct watch_plan *plan)
{
    grace_seconds = plan->grace;
    outermost = plan->outermost;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = relay;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    for (size_t i = 0; i < sizeof(relayed) / sizeof(relayed[0]); i++) {
        sigaction(relayed[i], &sa, NULL);
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
}

void watch_set_target(pid_t pid)
{
    target = pid;
}

int watch_open_parent(void)
{
    pid_t parent = getppid();
    int fd = (int)syscall(SYS_pidfd_open, parent, 0);
    if (fd < 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "pidfd_open(parent)", "watching the supervisor needs Linux 5.3 or later");
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
 * Kills and reaps everything below the launcher. As a child subreaper (or a namespace's init)
 * the launcher inherits the orphans of what it kills, so it repeats until it has no child left.
 * A PID namespace's init killed here takes its whole namespace with it.
 */
static void kill_tree(void)
{
    target = 0;
    bool init = getpid() == 1; /* a PID namespace's init: its /proc may be the caller's (--contain-pid-only) */
    for (;;) {
        if (init) {
            kill(-1, SIGKILL); /* every other process of the namespace */
        } else {
            kill_descendants_once();
        }
        int status;
        if (waitpid(-1, &status, 0) < 0 && errno != EINTR) {
            return; /* ECHILD: nothing left */
        }
    }
}

/* Reaps what has exited; true (and *status) once child has. */
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

void watch_fork(const struct watch_plan *plan, int close_a, int close_b)
{
    pid_t parent = getpid();
    watch_relay_signals(plan);
    pid_t pid = child_fork();
    if (pid > 0) {
        if (close_a >= 0) {
            close(close_a);
        }
        if (close_b >= 0) {
            close(close_b);
        }
        watch_tree(pid, plan->parent_pidfd);
    }
    if (plan->parent_pidfd >= 0) {
        close(plan->parent_pidfd);
    }
    child_reset_signals();
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "prctl(PR_SET_PDEATHSIG)", NULL);
    }
    if (getppid() != parent) {
        die(STATUS_LAUNCH_FAILED, "the launcher went away before the program started");
    }
}

noreturn void watch_tree(pid_t child, int parent_pidfd)
{
    /* blocked but in ppoll, so that none arrives between a check of end_tree and the wait */
    sigset_t blocked, unblocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGCHLD);
    sigaddset(&blocked, SIGALRM);
    for (size_t i = 0; i < sizeof(relayed) / sizeof(relayed[0]); i++) {
        sigaddset(&blocked, relayed[i]);
    }
    sigprocmask(SIG_BLOCK, &blocked, &unblocked);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sigismember(&blocked, sig) == 1) {
            sigdelset(&unblocked, sig);
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigchld;
    sigaction(SIGCHLD, &sa, NULL);
    struct pollfd pfd = {.fd = parent_pidfd, .events = POLLIN};
    int status = 0;
    for (;;) {
        if (reap(child, &status)) {
            kill_tree();
            child_exit_like(status);
        }
        if (end_tree) {
            kill_tree(); /* a second SIGINT, or the grace period is over */
            _exit(STATUS_TREE_KILLED);
        }
        pfd.revents = 0;
        if (ppoll(&pfd, 1, NULL, &unblocked) > 0 && pfd.revents != 0) {
            kill_tree(); /* the supervisor is gone: nobody answers or watches the program any more */
            _exit(STATUS_TREE_KILLED);
        }
    }
}
