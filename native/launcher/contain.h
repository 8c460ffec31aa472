/*
 * Containment of the process tree (--contain): the program runs in a new PID namespace under a
 * small init that is the launcher's own code, so that every process of the run, however it was
 * re-parented and whatever session it started, dies when the run ends: when the program exits,
 * init exits, and the kernel kills everything else in the namespace; when the launcher is
 * killed, init dies with it (PR_SET_PDEATHSIG) and so does the namespace. The processes:
 *
 *   launcher ("keeper", in the caller's namespaces: passes signals on, watches its parent with
 *   │         --die-with-parent, ends the tree after --grace, exits like init)
 *   └─ init  (pid 1 of the new PID namespace, in a new mount namespace with its own /proc,
 *      │      the read-only and writable mounts, the --unshare namespaces: passes signals on,
 *      │      reaps orphans, exits like the program)
 *      └─ the program's process (pid 2; trace and notify mode's handshakes happen here)
 *
 * A process of the namespace cannot kill init: the kernel only delivers to a namespace's init
 * the signals it has handlers for (init forwards them to the program), never SIGKILL or SIGSTOP
 * from inside. Nor can it signal the launcher when the policy scopes signals (Landlock).
 *
 * The namespaces are made directly as root (CAP_SYS_ADMIN); otherwise in a new user namespace
 * that maps the caller's uid and gid to themselves (so execve drops the namespace's capabilities,
 * as for any non-root user). Where neither works (no user namespaces for this user), the
 * launcher falls back to a child subreaper, says so on stderr, and the extra namespaces and
 * mounts, which need the namespaces, are an error.
 */
#ifndef SYSCAGE_CONTAIN_H
#define SYSCAGE_CONTAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "inject.h"
#include "watch.h"

struct contain_mount {
    const char *path;
    bool writable;
};

struct contain_options {
    bool enabled; /* --contain */
    /*
     * --contain-pid-only: the PID namespace, made directly (no user namespace), and no mount
     * namespace: the program keeps the caller's /proc and mounts, so that a supervisor that makes
     * calls for it on paths sees what it sees. A program that looks for /proc/<getpid()> finds
     * another process then; /proc/self is right.
     */
    bool pid_only;
    unsigned long namespaces; /* --unshare: CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS */
    /*
     * --read-only PATH (bound read-only, recursively) and --writable PATH (its mounts as they
     * were, over a read-only one), made in the order given: shallowest first, so that a
     * read-only path beneath a writable one stays read-only.
     */
    struct contain_mount *mounts;
    size_t mount_count;
};

/* What contain_enter() made of this process. */
enum contain_role {
    CONTAIN_INIT, /* pid 1 of the run's PID namespace */
    CONTAIN_SUBREAPER, /* the fallback: the launcher itself, a child subreaper */
};

/*
 * Parses --unshare's comma-separated list (net, ipc, uts) into *namespaces. Returns false, with
 * the bad name in *bad (a static buffer), when one is unknown.
 */
bool contain_parse_namespaces(const char *list, unsigned long *namespaces, const char **bad);

#define CONTAIN_NAMESPACE_NAMES "net, ipc, uts"

/*
 * Makes the namespaces and forks init. Never returns in the launcher, which stays behind as the
 * keeper (watching the tree as plan says); returns CONTAIN_INIT in init, with the mounts made. Where
 * no PID namespace can be made, returns CONTAIN_SUBREAPER in the launcher itself, after a
 * warning. Dies with status 125 on any other failure: the program never runs half-contained.
 * In both roles the caller forks the program's process and watches it (watch.h).
 */
enum contain_role contain_enter(const struct contain_options *options, const struct inject *inject,
                                const struct watch_plan *plan);

/* In a process just forked below init: notes its pid in the caller's PID namespace. */
void contain_remember_outer_pid(void);

/*
 * The calling process's pid as the supervisor (in the launcher's caller's PID namespace) sees
 * it (as contain_remember_outer_pid noted it after the fork); getpid() when not contained.
 */
pid_t contain_outer_pid(void);

/*
 * Opens /proc/self/status as the launcher's caller sees it (the caller's PID namespace: the
 * TracerPid a supervisor outside the namespace has); before fds_close_except only.
 */
int contain_open_outer_status(void);

/*
 * --probe-contain: tries, in a child, what --contain with a read-only mount would do and prints
 * one line: "namespaces root", "namespaces user" or "subreaper: REASON". Exits 0.
 */
_Noreturn void contain_probe(void);

#endif
