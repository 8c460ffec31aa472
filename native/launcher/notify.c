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
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
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

/* Connects to the JVM's AF_UNIX socket (before the filter): the JVM checks who is on the other end. */
static int connect_supervisor(const char *path)
{
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(addr.sun_path)) {
        die(STATUS_LAUNCH_FAILED, "--notify-socket %s: the path is longer than %zu bytes", path,
            sizeof(addr.sun_path) - 1);
    }
    memcpy(addr.sun_path, path, strlen(path));
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "socket(AF_UNIX)", NULL);
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        die(STATUS_LAUNCH_FAILED, "connect(%s): %s", path, errno_text(errno));
    }
    return fd;
}

/* The JVM's handoff byte, read before the filter is installed. */
static char read_handoff(int go_fd, int socket_fd)
{
    char how = child_wait_for_go(go_fd);
    if (how == NOTIFY_HANDOFF_SCM_RIGHTS && socket_fd < 0) {
        die(STATUS_LAUNCH_FAILED, "the supervisor asked for the SCM_RIGHTS handoff, but no --notify-socket was given");
    }
    if (how != NOTIFY_HANDOFF_PIDFD && how != NOTIFY_HANDOFF_SCM_RIGHTS) {
        die(STATUS_LAUNCH_FAILED, "unexpected handoff byte 0x%02x on the go pipe", (unsigned char)how);
    }
    return how;
}

void notify_prepare(const struct notify_handshake *h, const struct handshake_fds *fds, int closing_fd,
                    struct notify_handoff *out)
{
    cloexec(fds->report_fd);
    cloexec(fds->go_fd);
    out->socket_fd = h->socket_path != NULL ? connect_supervisor(h->socket_path) : -1;
    int lowest = fcntl(fds->go_fd, F_DUPFD_CLOEXEC, 0);
    if (lowest < 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "fcntl(F_DUPFD_CLOEXEC)", NULL);
    }
    close(lowest);
    if (closing_fd >= 0 && closing_fd < lowest) {
        lowest = closing_fd; /* every fd below lowest is open: closing this one frees the lowest number */
    }
    char line[64];
    int n = snprintf(line, sizeof(line), "%d %d %d\n", (int)getpid(), lowest, out->socket_fd);
    if (write(fds->report_fd, line, (size_t)n) != n) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "write(report pipe)", "the supervisor is gone");
    }
    out->reported = lowest;
    out->how = read_handoff(fds->go_fd, out->socket_fd);
}

/* Under the filter: the listener to the JVM with one byte of data and an SCM_RIGHTS message. */
static void send_listener(int socket_fd, int listener)
{
    char byte = 'L';
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof(control));
    struct msghdr msg = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.buf,
        .msg_controllen = sizeof(control.buf),
    };
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &listener, sizeof(int));
    ssize_t n;
    do {
        n = sendmsg(socket_fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n != 1) {
        die_errno(STATUS_LAUNCH_FAILED, n < 0 ? errno : EIO, "sendmsg(SCM_RIGHTS)",
                  "the seccomp listener could not be handed to the supervisor, so the program was not run; "
                  "the SCM_RIGHTS handoff needs the policy to allow sendmsg");
    }
}

void notify_hand_over(const struct handshake_fds *fds, const struct notify_handoff *handoff, int listener)
{
    if (listener != handoff->reported) {
        die_parts(STATUS_LAUNCH_FAILED, "the seccomp listener did not get the reported fd number; "
                  "refusing to run the program", NULL);
    }
    if (handoff->how == NOTIFY_HANDOFF_SCM_RIGHTS) {
        send_listener(handoff->socket_fd, listener);
        close(listener); /* the JVM has its own copy now, or nobody does */
        listener = -1;
    }
    if (child_wait_for_go(fds->go_fd) != NOTIFY_GO) {
        die_parts(STATUS_LAUNCH_FAILED, "unexpected byte on the go pipe; refusing to run the program", NULL);
    }
    if (listener >= 0) {
        close(listener); /* the program must never answer its own notifications */
    }
    if (handoff->socket_fd >= 0) {
        close(handoff->socket_fd);
    }
}
