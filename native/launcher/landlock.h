/*
 * The Landlock domain: file-system, network and scope rules the kernel enforces at the point of
 * use, stacked with the seccomp filter. The ruleset is built early, in the launcher (before it
 * forks in trace and notify mode), so a missing path or an old kernel stops it before anything
 * starts; the program's own process restricts itself late, right after no_new_privs and right
 * before seccomp(), in every mode:
 *
 *   landlock_build   probe the ABI (landlock_create_ruleset(NULL, 0, VERSION)), cut the handled
 *                    rights, the scopes and every rule to what it supports (dying under
 *                    'compat required' if that drops anything, warning under 'best-effort'),
 *                    landlock_create_ruleset, one landlock_add_rule per path (opened O_PATH) and port
 *   landlock_apply   landlock_restrict_self and close the ruleset fd
 *
 * An empty ruleset (nothing handled, or nothing left after a best-effort cut) makes no domain.
 */
#ifndef SYSCAGE_LANDLOCK_H
#define SYSCAGE_LANDLOCK_H

#include "inject.h"
#include "ruleset.h"

/* A ruleset ready for landlock_restrict_self. */
struct landlock_domain {
    int ruleset_fd; /* close-on-exec; -1 when there is no domain to make */
    /*
     * landlock_restrict_self's flags: on ABI 7+, LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON, so that
     * where the kernel's audit is on, the program's denials are logged (by default Landlock logs
     * only those made before the next execve, that is the launcher's own).
     */
    unsigned int restrict_flags;
};

/*
 * Negotiates the ruleset with the kernel and builds it; without a ruleset (NULL) or with an empty
 * one, out->ruleset_fd is -1. Dies with status 125 when the kernel lacks what 'compat required'
 * asks for, a required path is missing, or a Landlock call fails. Honours the injected
 * landlock_abi (the ABI is then the lower of the kernel's and the injected one).
 */
void landlock_build(const struct ruleset *ruleset, const struct inject *inject, struct landlock_domain *out);

/*
 * In the program's process, after no_new_privs and before the seccomp filter: enforces the
 * domain on this process (and everything it execs and forks) and closes the ruleset fd.
 * Nothing when there is no domain. Dies with status 125 if landlock_restrict_self fails (or the
 * injected landlock_restrict says it did).
 */
void landlock_apply(struct landlock_domain *domain, const struct inject *inject);

#endif
