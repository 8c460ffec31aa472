/*
 * Installing the filter: PR_SET_NO_NEW_PRIVS, seccomp(SECCOMP_SET_MODE_FILTER) and a check with
 * PR_GET_SECCOMP that it is in force. no_new_privs is its own call because the Landlock domain
 * goes between the two (it needs no_new_privs, and the filter may deny landlock_restrict_self).
 * After seccomp_install() returns, the only thing left to do is execve.
 */
#ifndef SYSCAGE_SECCOMP_H
#define SYSCAGE_SECCOMP_H

#include <stdbool.h>

#include "filter.h"
#include "inject.h"

/*
 * ORs the flags named in a comma-separated list ("tsync,log,spec_allow") into *flags.
 * Returns false, with the bad name in *bad (pointing into a static buffer), when one is unknown.
 */
bool seccomp_parse_flags(const char *list, unsigned int *flags, const char **bad);

/* The known flag names, for usage messages. */
#define SECCOMP_FLAG_NAMES "tsync, log, spec_allow"

/* prctl(PR_SET_NO_NEW_PRIVS, 1), or die with status 125. Before seccomp_install*. */
void seccomp_no_new_privs(const struct inject *inject);

/*
 * Installs the filter or dies with status 125; the program has not run either way. Needs
 * seccomp_no_new_privs() first (or the kernel says EACCES).
 */
void seccomp_install(const struct filter *filter, unsigned int flags, const struct inject *inject);

/*
 * Notify mode: like seccomp_install, with SECCOMP_FILTER_FLAG_NEW_LISTENER (and, unless
 * interruptible, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV when the kernel knows it: Linux 5.19+,
 * so that a non-fatal signal cannot pull a call back out of a pending decision). Returns the
 * listener fd (close-on-exec, the lowest free number); dies with 125 on failure. Flags must not
 * hold tsync.
 */
int seccomp_install_listener(const struct filter *filter, unsigned int flags, bool interruptible,
                             const struct inject *inject);

#endif
