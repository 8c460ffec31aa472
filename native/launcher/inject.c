/* Parses SYSCAGE_LAUNCH_INJECT (see inject.h). Runs before the filter is installed. */
#include "inject.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"

#define ERRNO_MAX 4095

static const char *const CALL_NAMES[INJECT_CALL_COUNT] = {
    [INJECT_NO_NEW_PRIVS] = "no_new_privs",
    [INJECT_SECCOMP] = "seccomp",
    [INJECT_GET_SECCOMP] = "get_seccomp",
    [INJECT_LANDLOCK_ABI] = "landlock_abi",
    [INJECT_LANDLOCK_RESTRICT] = "landlock_restrict",
    [INJECT_UNSHARE] = "unshare",
};

#define CALL_LIST "no_new_privs, seccomp, get_seccomp, landlock_abi, landlock_restrict, unshare"

static enum inject_call parse_call(const char *name, const char *entry)
{
    for (int i = 0; i < INJECT_CALL_COUNT; i++) {
        if (strcmp(name, CALL_NAMES[i]) == 0) {
            return (enum inject_call)i;
        }
    }
    die(STATUS_LAUNCH_FAILED, "%s: unknown call in '%s' (known: " CALL_LIST ")", INJECT_ENV, entry);
}

/* An errno name such as EINVAL (looked up in the C library's own table) or a number 0..4095. */
static int parse_errno(const char *text, const char *entry)
{
    char *end;
    errno = 0;
    long n = strtol(text, &end, 10);
    if (*text != '\0' && *end == '\0' && errno == 0 && n >= 0 && n <= ERRNO_MAX) {
        return (int)n;
    }
    for (int e = 1; e <= ERRNO_MAX; e++) {
        const char *name = strerrorname_np(e);
        if (name != NULL && strcmp(name, text) == 0) {
            return e;
        }
    }
    die(STATUS_LAUNCH_FAILED, "%s: '%s' is not an errno name (like EINVAL) or a number 0..%d",
        INJECT_ENV, entry, ERRNO_MAX);
}

/* A Landlock ABI version: a number 0..4095 (a name such as EINVAL makes no sense here). */
static int parse_version(const char *text, const char *entry)
{
    char *end;
    errno = 0;
    long n = strtol(text, &end, 10);
    if (*text != '\0' && *end == '\0' && errno == 0 && n >= 0 && n <= ERRNO_MAX) {
        return (int)n;
    }
    die(STATUS_LAUNCH_FAILED, "%s: '%s' is not a Landlock ABI version (a number, 0 for no Landlock)", INJECT_ENV,
        entry);
}

static void parse_entry(char *entry, struct inject *out)
{
    char *colon = strchr(entry, ':');
    if (colon == NULL) {
        die(STATUS_LAUNCH_FAILED, "%s: '%s' is not CALL:ERRNO", INJECT_ENV, entry);
    }
    *colon = '\0';
    enum inject_call call = parse_call(entry, entry);
    *colon = ':';
    int value = call == INJECT_LANDLOCK_ABI ? parse_version(colon + 1, entry) : parse_errno(colon + 1, entry);
    if (value == 0 && call != INJECT_GET_SECCOMP && call != INJECT_LANDLOCK_ABI) {
        die(STATUS_LAUNCH_FAILED, "%s: '%s': only get_seccomp and landlock_abi can be injected with 0", INJECT_ENV,
            entry);
    }
    out->active[call] = true;
    out->value[call] = value;
}

void inject_from_env(struct inject *out)
{
    memset(out, 0, sizeof(*out));
    const char *env = getenv(INJECT_ENV);
    if (env == NULL) {
        return;
    }
    char *copy = strdup(env);
    if (copy == NULL) {
        die_errno(STATUS_LAUNCH_FAILED, ENOMEM, "strdup", NULL);
    }
    char *save = NULL;
    for (char *entry = strtok_r(copy, ",", &save); entry != NULL; entry = strtok_r(NULL, ",", &save)) {
        parse_entry(entry, out);
    }
    free(copy);
    if (unsetenv(INJECT_ENV) != 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "unsetenv(" INJECT_ENV ")", NULL);
    }
}

bool inject_get(const struct inject *inject, enum inject_call call, int *value)
{
    if (!inject->active[call]) {
        return false;
    }
    *value = inject->value[call];
    return true;
}
