/* PID, mount and the other namespaces of a contained run (see contain.h). */
#include "contain.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "die.h"
#include "inject.h"
#include "watch.h"

/* How the namespaces were made. */
enum made {
    MADE_NONE,
    MADE_AS_ROOT, /* with the launcher's own CAP_SYS_ADMIN */
    MADE_IN_USERNS, /* in a new user namespace mapping the caller's ids to themselves */
};

/* The caller's /proc (O_PATH), opened in init before the run's own /proc hides it; -1 if none. */
static int outer_proc = -1;
/* This process's pid in the caller's PID namespace, once known. */
static pid_t outer_pid;

static const struct {
    const char *name;
    unsigned long flag;
} namespace_names[] = {
    {"net", CLONE_NEWNET},
    {"ipc", CLONE_NEWIPC},
    {"uts", CLONE_NEWUTS},
};

bool contain_parse_namespaces(const char *list, unsigned long *namespaces, const char **bad)
{
    static char unknown[64];
    for (const char *p = list; *p != '\0';) {
        size_t len = strcspn(p, ",");
        bool found = false;
        for (size_t i = 0; i < sizeof(namespace_names) / sizeof(namespace_names[0]); i++) {
            if (strlen(namespace_names[i].name) == len && strncmp(p, namespace_names[i].name, len) == 0) {
                *namespaces |= namespace_names[i].flag;
                found = true;
            }
        }
        if (!found) {
            snprintf(unknown, sizeof(unknown), "%.*s", (int)(len < 60 ? len : 60), p);
            *bad = unknown;
            return false;
        }
        p += len;
        if (*p == ',') {
            p++;
        }
    }
    return true;
}

/* Writes text to a /proc file; false with errno on failure. */
static bool write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    ssize_t n = write(fd, text, strlen(text));
    int err = errno;
    close(fd);
    errno = err;
    return n == (ssize_t)strlen(text);
}

/*
 * unshare(CLONE_NEWPID | extra), directly or inside a new user namespace. On MADE_NONE, why
 * says what the kernel answered. Dies when a user namespace was entered but its maps or the
 * namespaces in it could not be made (there is no way back to the caller's credentials).
 */
/* unshare(2), or the injected failure. */
static int try_unshare(int flags, const struct inject *inject)
{
    int err;
    if (inject != NULL && inject_get(inject, INJECT_UNSHARE, &err)) {
        errno = err;
        return -1;
    }
    return unshare(flags);
}

static enum made make_namespaces(unsigned long extra, bool direct_only, const struct inject *inject, char *why,
                                 size_t why_size)
{
    unsigned long flags = CLONE_NEWPID | extra;
    if (try_unshare((int)flags, inject) == 0) {
        return MADE_AS_ROOT;
    }
    int direct = errno;
    if (direct_only) {
        snprintf(why, why_size, "unshare(CLONE_NEWPID): %s", errno_text(direct));
        return MADE_NONE;
    }
    if (try_unshare(CLONE_NEWUSER, inject) != 0) {
        snprintf(why, why_size, "unshare(CLONE_NEWPID): %s; unshare(CLONE_NEWUSER): %s", errno_text(direct),
                 errno_text(errno));
        return MADE_NONE;
    }
    char map[64];
    if (!write_file("/proc/self/setgroups", "deny")) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "write(/proc/self/setgroups)", "in the run's user namespace");
    }
    snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)getuid(), (unsigned)getuid());
    if (!write_file("/proc/self/uid_map", map)) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "write(/proc/self/uid_map)", "in the run's user namespace");
    }
    snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)getgid(), (unsigned)getgid());
    if (!write_file("/proc/self/gid_map", map)) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "write(/proc/self/gid_map)", "in the run's user namespace");
    }
    if (unshare((int)flags) != 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "unshare(CLONE_NEWPID) in a user namespace", NULL);
    }
    return MADE_IN_USERNS;
}

/* Brings the loopback interface of the run's new network namespace up. NULL or what failed. */
static const char *loopback_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        return "socket(AF_INET)";
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    strcpy(ifr.ifr_name, "lo");
    const char *failed = NULL;
    if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) {
        failed = "ioctl(lo, SIOCGIFFLAGS)";
    } else {
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) {
            failed = "ioctl(lo, SIOCSIFFLAGS)";
        }
    }
    int err = errno;
    close(s);
    errno = err;
    return failed;
}

/* Formats "CALL(PATH): STRERROR" into why; returns why. */
static const char *failed_on(char *why, size_t size, const char *call, const char *path)
{
    snprintf(why, size, "%s(%s): %s", call, path, errno_text(errno));
    return why;
}

/*
 * The read-only and writable mounts, and a /proc of the run's PID namespace, in init's own mount
 * namespace. The writable paths' mounts are copied (open_tree) before anything is made
 * read-only and put back on top in their turn, so they keep exactly the flags they had: a
 * read-only mount beneath a writable path stays read-only. NULL on success, else what failed.
 */
static const char *make_mounts(const struct contain_options *o, char *why, size_t size)
{
    char *cwd = getcwd(NULL, 0); /* entered again at the end: it may be under a mount made here */
    int trees[o->mount_count + 1];
    for (size_t i = 0; i < o->mount_count; i++) { /* before anything is made read-only */
        const struct contain_mount *m = &o->mounts[i];
        trees[i] = m->writable ? open_tree(AT_FDCWD, m->path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE) : -1;
        if (m->writable && trees[i] < 0) {
            return failed_on(why, size, "--writable: open_tree", m->path);
        }
    }
    struct mount_attr readonly = {.attr_set = MOUNT_ATTR_RDONLY};
    for (size_t i = 0; i < o->mount_count; i++) {
        const char *path = o->mounts[i].path;
        if (o->mounts[i].writable) {
            if (move_mount(trees[i], "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
                return failed_on(why, size, "--writable: move_mount", path);
            }
            close(trees[i]);
            continue;
        }
        if (strcmp(path, "/") != 0 && mount(path, path, NULL, MS_BIND | MS_REC, NULL) != 0) {
            return failed_on(why, size, "--read-only: mount(MS_BIND)", path);
        }
        if (mount_setattr(AT_FDCWD, path, AT_RECURSIVE, &readonly, sizeof(readonly)) != 0) {
            return failed_on(why, size, "--read-only: mount_setattr(MOUNT_ATTR_RDONLY)", path);
        }
    }
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) {
        return failed_on(why, size, "mount", "proc on /proc");
    }
    if (cwd != NULL && chdir(cwd) != 0) {
        warning("cannot enter the working directory %s again in the run's mount namespace: %s", cwd, errno_text(errno));
    }
    free(cwd);
    return NULL;
}

/*
 * In init: unless pid_only, a mount namespace of its own whose mounts do not propagate back,
 * with the mounts (make_mounts); the caller's /proc kept open (outer_proc); loopback up in a new
 * network namespace. NULL on success, else what failed (in why).
 */
static const char *setup_init(const struct contain_options *o, char *why, size_t size)
{
    if (!o->pid_only && unshare(CLONE_NEWNS) != 0) {
        return failed_on(why, size, "unshare", "CLONE_NEWNS");
    }
    if (!o->pid_only && mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0) {
        return failed_on(why, size, "mount", "/, MS_REC|MS_SLAVE");
    }
    outer_proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC); /* before the run's /proc hides it */
    if (outer_proc < 0) {
        return failed_on(why, size, "open", "/proc");
    }
    const char *failed = o->pid_only ? NULL : make_mounts(o, why, size);
    if (failed == NULL && (o->namespaces & CLONE_NEWNET) != 0 && (failed = loopback_up()) != NULL) {
        failed = failed_on(why, size, failed, "the run's network namespace");
    }
    return failed;
}

/* In init: dies with the keeper, and not after it is already gone. */
static void follow_keeper(int alive_read_end)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "prctl(PR_SET_PDEATHSIG)", NULL);
    }
    struct pollfd p = {.fd = alive_read_end, .events = POLLIN};
    if (poll(&p, 1, 0) != 0) { /* end of file: the keeper, which holds the write end, is gone */
        die(STATUS_LAUNCH_FAILED, "the launcher went away before the program started");
    }
    close(alive_read_end);
}

enum contain_role contain_enter(const struct contain_options *o, const struct inject *inject,
                                const struct watch_plan *plan)
{
    char why[512];
    enum made made = make_namespaces(o->namespaces, o->pid_only, inject, why, sizeof(why));
    if (made == MADE_NONE) {
        if (o->namespaces != 0 || o->mount_count > 0) {
            die(STATUS_LAUNCH_FAILED, "--unshare, --read-only and --writable need namespaces, which this process "
                "cannot make (%s)", why);
        }
        warning("cannot make a PID namespace (%s): the run is contained by a child subreaper only; a process "
                "that kills the launcher can leave orphans behind", why);
        if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
            die_errno(STATUS_LAUNCH_FAILED, errno, "prctl(PR_SET_CHILD_SUBREAPER)", NULL);
        }
        return CONTAIN_SUBREAPER;
    }
    int alive[2];
    if (pipe2(alive, O_CLOEXEC) != 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "pipe2", NULL);
    }
    watch_relay_signals(plan);
    pid_t init = child_fork();
    if (init > 0) {
        close(alive[0]);
        watch_tree(init, plan->parent_pidfd); /* the keeper */
    }
    close(alive[1]);
    if (plan->parent_pidfd >= 0) {
        close(plan->parent_pidfd);
    }
    child_reset_signals();
    follow_keeper(alive[0]);
    if (setup_init(o, why, sizeof(why)) != NULL) {
        die(STATUS_LAUNCH_FAILED, "%s", why);
    }
    return CONTAIN_INIT;
}

void contain_remember_outer_pid(void)
{
    outer_pid = 0;
    if (outer_proc < 0) {
        return;
    }
    char buf[32];
    ssize_t n = readlinkat(outer_proc, "self", buf, sizeof(buf) - 1);
    if (n <= 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "readlink(/proc/self) in the caller's /proc", NULL);
    }
    buf[n] = '\0';
    outer_pid = (pid_t)atoi(buf);
}

pid_t contain_outer_pid(void)
{
    return outer_pid > 0 ? outer_pid : getpid();
}

int contain_open_outer_status(void)
{
    return outer_proc >= 0 ? openat(outer_proc, "self/status", O_RDONLY | O_CLOEXEC)
                           : open("/proc/self/status", O_RDONLY | O_CLOEXEC);
}

/* The probe's child: what --contain --read-only / would make; its answer on stdout. */
static noreturn void probe_child(void)
{
    char why[512];
    enum made made = make_namespaces(0, false, NULL, why, sizeof(why));
    if (made == MADE_NONE) {
        printf("subreaper: %s\n", why);
        fflush(stdout);
        _exit(0);
    }
    pid_t init = fork();
    if (init == 0) {
        struct contain_mount root = {.path = "/", .writable = false};
        struct contain_options o = {.enabled = true, .mounts = &root, .mount_count = 1};
        const char *failed = setup_init(&o, why, sizeof(why));
        if (failed != NULL) {
            printf("subreaper: %s\n", failed);
        } else {
            printf("namespaces %s\n", made == MADE_AS_ROOT ? "root" : "user");
        }
        fflush(stdout);
        _exit(0);
    }
    int status;
    if (init < 0 || waitpid(init, &status, 0) != init || !WIFEXITED(status)) {
        printf("subreaper: the probe's init failed\n");
    }
    fflush(stdout);
    _exit(0);
}

noreturn void contain_probe(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "fork", NULL);
    }
    if (pid == 0) {
        probe_child();
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    exit(0);
}
