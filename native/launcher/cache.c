/* The run cache's front end (--cached-run) and lookup: see cache.h and docs/launcher.md#the-run-cache. */
#include "cache.h"

/* messages (why) may be cut short; paths have room for PATH_MAX and what is added to them */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache_entry.h"
#include "cache_text.h"
#include "die.h"
#include "input.h"
#include "sha256.h"
#include "stale.h"

#define ENTRY_MAX (16u << 20)
#define SUM_LINE 69 /* "sum " + 64 hex digits + newline */

/* For SYSCAGE_CACHE_DEBUG's timings. */
static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/*
 * The entry's bytes: a regular file of ours that nobody else may write, opened without following
 * a symbolic link. NULL (and why) otherwise.
 */
static char *read_entry(const char *path, size_t *len, char *why, size_t n)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0) {
        snprintf(why, n, "no entry (%s)", errno_text(errno));
        return NULL;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()
        || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 || st.st_size > ENTRY_MAX || st.st_size == 0) {
        snprintf(why, n, "entry not trusted (owner %u, mode %o, %lld bytes)", st.st_uid, st.st_mode & 07777,
                 (long long)st.st_size);
        close(fd);
        return NULL;
    }
    char *bytes = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    ssize_t k;
    while (bytes != NULL && got < (size_t)st.st_size
           && ((k = read(fd, bytes + got, (size_t)st.st_size - got)) > 0 || (k < 0 && errno == EINTR))) {
        got += k > 0 ? (size_t)k : 0;
    }
    close(fd);
    if (bytes == NULL || got != (size_t)st.st_size) {
        free(bytes);
        snprintf(why, n, "entry unreadable");
        return NULL;
    }
    bytes[got] = '\0';
    *len = got;
    return bytes;
}

/* The checksum line closes the entry; a truncated or changed entry fails here. */
static bool checksum_ok(const char *bytes, size_t len, size_t *body)
{
    if (len < SUM_LINE || bytes[len - 1] != '\n' || memcmp(bytes + len - SUM_LINE, "sum ", 4) != 0
        || (len > SUM_LINE && bytes[len - SUM_LINE - 1] != '\n')) {
        return false;
    }
    char hex[65];
    sha256_of(bytes, len - SUM_LINE, hex);
    *body = len - SUM_LINE;
    return memcmp(hex, bytes + len - 65, 64) == 0;
}

/* The first word of the first line where the entry and the expected identity part differ. */
static void mismatch(const char *entry, const char *expected, char *why, size_t n)
{
    size_t i = 0, line = 0;
    while (expected[i] != '\0' && entry[i] == expected[i]) {
        if (expected[i++] == '\n') {
            line = i;
        }
    }
    size_t w = strcspn(expected + line, " \n");
    snprintf(why, n, "stale: %.*s differs", (int)w, expected + line);
}

/* What a hit makes: the launch options, the messages, the filter and the ruleset. */
struct plan {
    char **launch;
    int launch_count;
    struct text messages;
    struct text filter;
    struct text landlock;
};

/* One line after the identity part; false with why when the entry is stale or malformed. */
static bool plan_line(char *line, struct plan *p, char *why, size_t n)
{
    char *v = strchr(line, ' ');
    if (v == NULL) {
        snprintf(why, n, "corrupt entry");
        return false;
    }
    *v++ = '\0';
    if (strcmp(line, "contain") == 0) {
        char now[512];
        if (!text_unescape(v) || !cache_probe_contain(now, sizeof(now)) || strcmp(now, v) != 0) {
            snprintf(why, n, "stale: containment differs");
            return false;
        }
    } else if (strcmp(line, "input") == 0) {
        char hex[65];
        char *path = strchr(v, ' ');
        if (path == NULL || !text_unescape(++path) || !cache_hash_file(path, hex) || strncmp(hex, v, 64) != 0) {
            snprintf(why, n, "stale: input %s changed", path == NULL ? "?" : path);
            return false;
        }
    } else if (strcmp(line, "message") == 0 && text_unescape(v)) {
        text_printf(&p->messages, "%s\n", v);
    } else if (strcmp(line, "launch") == 0 && text_unescape(v)) {
        p->launch[p->launch_count++] = v;
    } else if (strcmp(line, "filter") == 0 && text_unhex(&p->filter, v)) {
    } else if (strcmp(line, "landlock") == 0 && text_unhex(&p->landlock, v)) {
    } else {
        snprintf(why, n, "corrupt entry (%s)", line);
        return false;
    }
    return true;
}

static bool read_plan(char *rest, struct plan *p, char *why, size_t n)
{
    size_t lines = 1;
    for (char *c = rest; *c != '\0'; c++) {
        lines += *c == '\n';
    }
    p->launch = calloc(lines, sizeof(char *));
    if (p->launch == NULL) {
        return false;
    }
    for (char *line = rest, *nl; *line != '\0'; line = nl + 1) {
        nl = strchr(line, '\n');
        if (nl == NULL) {
            snprintf(why, n, "corrupt entry");
            return false;
        }
        *nl = '\0';
        if (!plan_line(line, p, why, n)) {
            return false;
        }
    }
    if (p->filter.len == 0) {
        snprintf(why, n, "corrupt entry (no filter)");
        return false;
    }
    return true;
}

/* A sealed-size memfd holding bytes, read from the start; its number as text in num. */
static bool memfd_of(const char *name, const struct text *t, char num[16])
{
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0 || write(fd, t->bytes, t->len) != (ssize_t)t->len || lseek(fd, 0, SEEK_SET) != 0) {
        return false;
    }
    int flags = fcntl(fd, F_GETFD);
    fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC); /* the launcher reads it by number, then closes it */
    snprintf(num, 16, "%d", fd);
    return true;
}

/* The launcher's argv for a hit: --filter-fd N [--landlock-fd M] OPTIONS -- PROG... */
static bool hit_argv(const char *self, struct plan *p, char **prog, int prog_count, int *argc, char ***argv)
{
    static char filter_fd[16], landlock_fd[16];
    char **a = calloc((size_t)(p->launch_count + prog_count + 8), sizeof(char *));
    if (a == NULL || !memfd_of("syscage-filter", &p->filter, filter_fd)
        || (p->landlock.len > 0 && !memfd_of("syscage-landlock", &p->landlock, landlock_fd))) {
        return false;
    }
    int k = 0;
    a[k++] = (char *)self;
    a[k++] = "--filter-fd";
    a[k++] = filter_fd;
    if (p->landlock.len > 0) {
        a[k++] = "--landlock-fd";
        a[k++] = landlock_fd;
    }
    for (int i = 0; i < p->launch_count; i++) {
        a[k++] = p->launch[i];
    }
    a[k++] = "--";
    for (int i = 0; i < prog_count; i++) {
        a[k++] = prog[i];
    }
    a[k] = NULL;
    *argc = k;
    *argv = a;
    return true;
}

/* Looks the key up; true with the plan on a hit, else false and why. */
static bool lookup(const char *key, struct plan *p, char *why, size_t n)
{
    char dir[PATH_MAX], real[PATH_MAX], path[PATH_MAX + 48];
    if (!cache_dir(dir, sizeof(dir))) {
        snprintf(why, n, "no cache directory (no HOME)");
        return false;
    }
    if (!cache_dir_trusted(dir, real, why, n)) {
        return false;
    }
    cache_entry_path(real, key, path, sizeof(path));
    size_t len, body;
    char *bytes = read_entry(path, &len, why, n);
    if (bytes == NULL) {
        return false;
    }
    if (!checksum_ok(bytes, len, &body)) {
        snprintf(why, n, "corrupt entry %s (checksum)", path);
        return false;
    }
    bytes[body] = '\0';
    struct text expected = {0};
    if (!cache_identity(&expected, key, why, n)) {
        return false;
    }
    if (strncmp(bytes, expected.bytes, expected.len) != 0) {
        mismatch(bytes, expected.bytes, why, n);
        return false;
    }
    if (!read_plan(bytes + expected.len, p, why, n)) {
        return false;
    }
    cache_debug("hit %s", path);
    return true;
}

/* Options of 'syscage run' that take a value and that a cached run may have (the rest go to the JVM). */
static const char *const VALUED[] = {"--profile", "--policy", "--isolate", "--flags", "--grace", "--mode",
                                     "--listener-handoff", "--race-free", "--race-free-opens", "--notify-wait",
                                     "--on-log-error", "--log-format", "--log-level", NULL};
static const char *const FLAGS[] = {"--no-contain", "-q", "--quiet", NULL};

/*
 * The key of 'run ARGS -- PROG' (args from argv[first]); -1 when the run is not one a cache
 * serves (an option the fast path does not know, --no-cache, no '--'); else the index of '--'.
 */
static int run_key(char **argv, int argc, int first, const char *root, struct text *key)
{
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof(cwd)) == NULL) {
        return -1;
    }
    text_add(key, "root ");
    text_escaped(key, root);
    text_add(key, "\ncwd ");
    text_escaped(key, cwd);
    text_add(key, "\n");
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            return i;
        }
        size_t name = strcspn(a, "=");
        bool valued = cache_listed(VALUED, a, name);
        if (!valued && !(a[name] == '\0' && cache_listed(FLAGS, a, name))) {
            return -1;
        }
        text_add(key, "arg ");
        text_escaped(key, a);
        text_add(key, "\n");
        if (valued && a[name] == '\0') {
            if (++i >= argc) {
                return -1;
            }
            text_add(key, "arg ");
            text_escaped(key, argv[i]);
            text_add(key, "\n");
        }
    }
    return -1;
}

/*
 * The JVM path: bash ROOT/bin/syscage run ARGS..., told the key when the run may be stored, and
 * that the build is current (SYSCAGE_CACHED_RUN=built: bin/syscage then skips its find) when
 * build_stale() said so.
 */
static noreturn void to_jvm(const char *root, char **args, int count, const char *key, bool built)
{
    char script[PATH_MAX + 16];
    snprintf(script, sizeof(script), "%s/bin/syscage", root);
    char **a = calloc((size_t)count + 3, sizeof(char *));
    if (a == NULL) {
        die_errno(STATUS_LAUNCH_FAILED, ENOMEM, "calloc", NULL);
    }
    a[0] = "bash";
    a[1] = script;
    memcpy(a + 2, args, (size_t)count * sizeof(char *));
    setenv(CACHED_RUN_ENV, built ? "built" : "1", 1);
    if (key != NULL) {
        setenv(CACHE_KEY_ENV, key, 1);
    } else {
        unsetenv(CACHE_KEY_ENV);
    }
    execvp("bash", a);
    die_errno(STATUS_LAUNCH_FAILED, errno, "execvp(bash)", "bin/syscage's JVM path needs bash");
}

void cache_front(int argc, char **argv, int *out_argc, char ***out_argv)
{
    if (argc < 4) {
        die(STATUS_LAUNCH_FAILED, "--cached-run ROOT run ARGS...: used by bin/syscage");
    }
    char root[PATH_MAX], why[1024];
    if (realpath(argv[2], root) == NULL) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "realpath(--cached-run ROOT)", NULL);
    }
    const char *opts = getenv("SYSCAGE_JAVA_OPTS"), *launch = getenv("SYSCAGE_LAUNCH");
    struct text key = {0};
    double start = now_us();
    bool built = !build_stale(root, why, sizeof(why));
    double walked = now_us();
    int dashes = strcmp(argv[3], "run") == 0 ? run_key(argv, argc, 4, root, &key) : -1;
    if (dashes < 0 || (opts != NULL && *opts != '\0') || (launch != NULL && *launch != '\0')) {
        cache_debug("not cached: an option or setting only the JVM path knows");
        to_jvm(root, argv + 3, argc - 3, NULL, built);
    }
    struct plan plan = {0};
    if (!built || !lookup(key.bytes, &plan, why, sizeof(why))) {
        cache_debug("miss: %s", why);
        to_jvm(root, argv + 3, argc - 3, key.bytes, built);
    }
    if (!hit_argv(argv[0], &plan, argv + dashes + 1, argc - dashes - 1, out_argc, out_argv)) {
        cache_debug("miss: cannot make the filter's memfd (%s)", errno_text(errno));
        to_jvm(root, argv + 3, argc - 3, key.bytes, built);
    }
    cache_debug("build check %.0f us, lookup %.0f us", walked - start, now_us() - walked);
    if (plan.messages.len > 0 && write(STDERR_FILENO, plan.messages.bytes, plan.messages.len) < 0) {
        /* nothing to do: stderr is gone */
    }
}

