/* PATH lookup before the filter, execve after it (see exec.h). */
#include "exec.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "die.h"

/* The outcome of looking at one candidate file. */
enum candidate {
    CANDIDATE_RUNNABLE,
    CANDIDATE_MISSING, /* ENOENT, ENOTDIR and the like: keep looking */
    CANDIDATE_DENIED, /* exists but cannot be executed; *err says why */
};

static enum candidate examine(const char *path, int *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        *err = errno;
        return errno == EACCES ? CANDIDATE_DENIED : CANDIDATE_MISSING;
    }
    if (S_ISDIR(st.st_mode)) {
        *err = EISDIR;
        return CANDIDATE_DENIED;
    }
    if (!S_ISREG(st.st_mode) || access(path, X_OK) != 0) {
        *err = EACCES;
        return CANDIDATE_DENIED;
    }
    return CANDIDATE_RUNNABLE;
}

static const char *denied_hint(int err)
{
    return err == EACCES ? "it is not a regular file with execute permission" : NULL;
}

static const char *resolve_explicit(const char *prog)
{
    int err = 0;
    switch (examine(prog, &err)) {
    case CANDIDATE_RUNNABLE:
        return prog;
    case CANDIDATE_MISSING:
        die_errno(STATUS_NOT_FOUND, err, prog, NULL);
    case CANDIDATE_DENIED:
    default:
        die_errno(STATUS_CANNOT_EXECUTE, err, prog, denied_hint(err));
    }
}

static char *join(const char *dir, size_t dir_len, const char *prog)
{
    if (dir_len == 0) {
        dir = "."; /* an empty PATH entry means the current directory */
        dir_len = 1;
    }
    size_t prog_len = strlen(prog);
    char *path = malloc(dir_len + 1 + prog_len + 1);
    if (path == NULL) {
        die_errno(STATUS_LAUNCH_FAILED, ENOMEM, "malloc", NULL);
    }
    memcpy(path, dir, dir_len);
    path[dir_len] = '/';
    memcpy(path + dir_len + 1, prog, prog_len + 1);
    return path;
}

static const char *search_path(const char *prog)
{
    const char *search = getenv("PATH");
    if (search == NULL) {
        search = DEFAULT_PATH;
    }
    char *denied = NULL;
    int denied_err = 0;
    for (const char *p = search;; p++) {
        size_t len = strcspn(p, ":");
        char *path = join(p, len, prog);
        int err = 0;
        enum candidate c = examine(path, &err);
        if (c == CANDIDATE_RUNNABLE) {
            free(denied);
            return path;
        }
        if (c == CANDIDATE_DENIED && denied == NULL) {
            denied = path; /* remembered, as execvp remembers EACCES */
            denied_err = err;
        } else {
            free(path);
        }
        p += len;
        if (*p == '\0') {
            break;
        }
    }
    if (denied != NULL) {
        die_errno(STATUS_CANNOT_EXECUTE, denied_err, denied, denied_hint(denied_err));
    }
    die(STATUS_NOT_FOUND, "%s: command not found in PATH (%s)", prog, search);
}

const char *exec_resolve(const char *prog)
{
    if (prog[0] == '\0') {
        die(STATUS_NOT_FOUND, "the program name is empty");
    }
    return strchr(prog, '/') != NULL ? resolve_explicit(prog) : search_path(prog);
}

noreturn void exec_program(const char *path, char *const argv[])
{
    execve(path, argv, environ);
    int err = errno;
    const char *note;
    switch (err) {
    case ENOEXEC:
        note = " (not a binary this kernel runs, and no #! line; or the policy denies execve with ENOEXEC)";
        break;
    case ENOENT:
        note = " (the file or its #! interpreter or ELF loader is missing; or the policy denies execve)";
        break;
    case EACCES:
        note = " (the policy may deny execve, or the Landlock ruleset not grant execute on it or its interpreter)";
        break;
    default:
        note = " (the policy may deny execve)";
        break;
    }
    int status = err == ENOENT || err == ENOTDIR ? STATUS_NOT_FOUND : STATUS_CANNOT_EXECUTE;
    die_parts(status, path, ": execve: ", errno_text(err), note, NULL);
}
