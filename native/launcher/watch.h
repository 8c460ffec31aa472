/*
 * The launcher side of a forked process (trace and notify mode's program, --contain's init and
 * program): it stays behind as the process's parent, passes signals on, reaps, and ends the
 * whole tree below it when the process exits, when the launcher's own parent (the supervisor)
 * dies, or when a terminating signal is not obeyed in time.
 *
 * Signals: SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 sent to the launcher with
 * kill(2) are passed on to the child. Those the terminal sends (Ctrl-C, Ctrl-\, hangup) reach the
 * whole foreground process group, the program included, so they are not passed on again; and
 * a copy of one of them that syscage's JVM passes on right after (within a second) is taken as
 * the same event. In the outermost launcher a second SIGINT kills the tree, and so does the end
 * of the grace period that the first SIGINT, SIGTERM, SIGHUP or SIGQUIT starts (the launcher
 * then exits 137).
 */
#ifndef SYSCAGE_WATCH_H
#define SYSCAGE_WATCH_H

#include <stdnoreturn.h>
#include <stdbool.h>
#include <sys/types.h>

/* How the launcher watches the process it forks. */
struct watch_plan {
    int parent_pidfd; /* the supervisor's pidfd (watch_open_parent), or -1 */
    unsigned int grace; /* seconds a terminating signal may take to end the program; 0: forever */
    bool outermost; /* the launcher syscage signals (not --contain's init): a second SIGINT ends the tree */
};

/*
 * Before the fork: installs the signal handlers, as plan says: in the outermost launcher, a
 * second SIGINT ends the tree, and so does the end of the grace period (if not 0).
 */
void watch_relay_signals(const struct watch_plan *plan);

/* After the fork, in the parent: where signals go from now on. */
void watch_set_target(pid_t pid);

/*
 * A pidfd for the launcher's parent (the supervisor), checked to still be that process; dies
 * with 125 when it cannot be had or the parent is already gone.
 */
int watch_open_parent(void);

/*
 * Forks the process to watch (watch_relay_signals, child_fork). Never returns in the parent,
 * which closes close_a and close_b (each -1 for none) and watches the child (watch_tree).
 * Returns in the child with default signal handling, the plan's pidfd closed, and
 * PR_SET_PDEATHSIG(SIGKILL) set while its parent is still there; dies with 125 otherwise.
 */
void watch_fork(const struct watch_plan *plan, int close_a, int close_b);

/*
 * Waits for child, reaping every process that ends below the launcher (as a subreaper or a
 * namespace's init it inherits orphans). When child exits: kills what is left below, reaps it,
 * and exits as child did. When parent_pidfd (-1: none) polls readable, or the grace period
 * says so: kills everything below and exits 137.
 */
noreturn void watch_tree(pid_t child, int parent_pidfd);

#endif
