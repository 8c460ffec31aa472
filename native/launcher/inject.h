/*
 * Failure injection, a testing aid: SYSCAGE_LAUNCH_INJECT=CALL:ERRNO[,CALL:ERRNO...] makes CALL
 * look as if it had failed, so tests can simulate a kernel without seccomp or with an older
 * Landlock. It can only make the launcher fail, never weaken it behind its back: an injected
 * no_new_privs, seccomp or landlock_restrict failure skips the real call and dies; get_seccomp is
 * still really called and its real answer is checked first. landlock_abi:N only lowers the ABI
 * the launcher sees (the real probe is made, and the lower of the two counts); with 'compat
 * best-effort' that drops rights, with the same warning on stderr a real older kernel gives.
 * unshare:ERRNO makes --contain's namespaces look refused, as for a user without user
 * namespaces: --contain falls back to a subreaper, with the same warning.
 */
#ifndef SYSCAGE_INJECT_H
#define SYSCAGE_INJECT_H

#include <stdbool.h>

#define INJECT_ENV "SYSCAGE_LAUNCH_INJECT"

enum inject_call {
    INJECT_NO_NEW_PRIVS, /* prctl(PR_SET_NO_NEW_PRIVS) */
    INJECT_SECCOMP, /* seccomp(SECCOMP_SET_MODE_FILTER) */
    INJECT_GET_SECCOMP, /* prctl(PR_GET_SECCOMP): 0 means "returned 0", else -1 with that errno */
    INJECT_LANDLOCK_ABI, /* the Landlock ABI version, a number (0: no Landlock), not an errno */
    INJECT_LANDLOCK_RESTRICT, /* landlock_restrict_self */
    INJECT_UNSHARE, /* --contain's unshare(CLONE_NEWPID) and unshare(CLONE_NEWUSER): as if refused */
    INJECT_CALL_COUNT,
};

struct inject {
    bool active[INJECT_CALL_COUNT];
    int value[INJECT_CALL_COUNT];
};

/* Parses and removes the variable from the environment (the program does not see it). */
void inject_from_env(struct inject *out);

/*
 * Whether call is injected; if so *value is its errno (or 0 for get_seccomp's "returned 0"; the
 * version for landlock_abi).
 */
bool inject_get(const struct inject *inject, enum inject_call call, int *value);

#endif
