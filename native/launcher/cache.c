/* The run cache: see cache.h and docs/launcher.md#the-run-cache. */
#include "cache.h"

/* messages (why) may be cut short; paths have room for PATH_MAX and what is added to them */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cache_text.h"
#include "contain.h"
#include "die.h"
#include "input.h"
#include "landlock_uapi.h"
#include "sha256.h"
#include "stale.h"

#ifndef SYSCAGE_BUILD_ID
#define SYSCAGE_BUILD_ID "unknown"
#endif

#define ENTRY_MAX (16u << 20)
#define HEADER "syscage-cache 1\n"
#define SUM_LINE 69 /* "sum " + 64 hex digits + newline */

static char *saved_key; /* SYSCAGE_CACHE_KEY as the launcher found it */

static bool debugging(void)
{
    const char *d = getenv("SYSCAGE_CACHE_DEBUG");
    return d != NULL && strcmp(d, "1") == 0;
}

static __attribute__((format(printf, 1, 2))) void debug(const char *fmt, ...)
{
    if (!debugging()) {
        return;
    }
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "syscage: cache: %s\n", line);
}

/* For SYSCAGE_CACHE_DEBUG's timings. */
static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

void cache_take_env(void)
{
    const char *k = getenv(CACHE_KEY_ENV);
    if (k != NULL && saved_key == NULL) {
        saved_key = strdup(k);
    }
    unsetenv(CACHE_KEY_ENV);
    unsetenv(CACHED_RUN_ENV);
}

/* $SYSCAGE_CACHE_DIR, else $XDG_CACHE_HOME/syscage, else $HOME/.cache/syscage; absolute only. */
static bool cache_dir(char *out, size_t n)
{
    const char *d = getenv("SYSCAGE_CACHE_DIR");
    const char *x = getenv("XDG_CACHE_HOME");
    const char *h = getenv("HOME");
    int k;
    if (d != NULL && d[0] == '/') {
        k = snprintf(out, n, "%s", d);
    } else if (x != NULL && x[0] == '/') {
        k = snprintf(out, n, "%s/syscage", x);
    } else if (h != NULL && h[0] == '/') {
        k = snprintf(out, n, "%s/.cache/syscage", h);
    } else {
        return false;
    }
    return k > 0 && (size_t)k < n;
}

/* A directory on the way to the cache: root's or ours, and nobody else may write in it unless sticky. */
static bool ancestor_trusted(const struct stat *st)
{
    return S_ISDIR(st->st_mode) && (st->st_uid == 0 || st->st_uid == geteuid())
        && ((st->st_mode & (S_IWGRP | S_IWOTH)) == 0 || (st->st_mode & S_ISVTX) != 0);
}

/* The cache directory's real path in real, if it and every directory above it are trusted. */
static bool dir_trusted(const char *dir, char *real, char *why, size_t n)
{
    struct stat st;
    if (realpath(dir, real) == NULL || stat(real, &st) != 0) {
        snprintf(why, n, "no cache directory %s", dir);
        return false;
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        snprintf(why, n, "cache directory %s is not ours alone (owner %u, mode %o)", real, st.st_uid,
                 st.st_mode & 07777);
        return false;
    }
    char up[PATH_MAX];
    snprintf(up, sizeof(up), "%s", real);
    for (char *slash = strrchr(up, '/'); slash != NULL; slash = strrchr(up, '/')) {
        slash[slash == up ? 1 : 0] = '\0';
        if (stat(up, &st) != 0 || !ancestor_trusted(&st)) {
            snprintf(why, n, "%s, above the cache directory, can be written by another user", up);
            return false;
        }
        if (slash == up) {
            break;
        }
    }
    return true;
}

/* mkdir -p, 0700 for what it makes. */
static void make_dirs(const char *dir)
{
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s", dir);
    for (char *s = strchr(p + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
        *s = '\0';
        mkdir(p, 0700);
        *s = '/';
    }
    mkdir(p, 0700);
}

static void entry_path(const char *dir, const char *key, char *out, size_t n)
{
    char hex[65];
    sha256_of(key, strlen(key), hex);
    hex[32] = '\0';
    snprintf(out, n, "%s/%s.entry", dir, hex);
}

/* The value of the key's first line, "root PATH": the clone whose jar compiled the entry. */
static bool key_root(const char *key, char *root, size_t n)
{
    const char *nl = strchr(key, '\n');
    if (strncmp(key, "root ", 5) != 0 || nl == NULL || (size_t)(nl - key - 5) >= n) {
        return false;
    }
    memcpy(root, key + 5, (size_t)(nl - key - 5));
    root[nl - key - 5] = '\0';
    return text_unescape(root);
}

static int landlock_abi(void)
{
    long abi = landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return abi < 0 ? 0 : (int)abi;
}

/* The entry's first lines: the key and everything about this build and machine it must match. */
static bool identity(struct text *t, const char *key, char *why, size_t n)
{
    char root[PATH_MAX], jar[PATH_MAX + 32];
    struct stat st;
    struct utsname u;
    if (!key_root(key, root, sizeof(root))) {
        snprintf(why, n, "malformed key");
        return false;
    }
    snprintf(jar, sizeof(jar), "%s/enforcer/target/syscage.jar", root);
    if (stat(jar, &st) != 0 || uname(&u) != 0) {
        snprintf(why, n, "no %s", jar);
        return false;
    }
    text_add(t, HEADER);
    text_add(t, key);
    text_printf(t, "build %s\n", SYSCAGE_BUILD_ID);
    text_printf(t, "jar %llu %llu %lld %lld.%09ld %lld.%09ld\n", (unsigned long long)st.st_dev,
                (unsigned long long)st.st_ino, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
    text_printf(t, "arch %s\n", u.machine);
    text_printf(t, "uid %u\n", (unsigned)geteuid());
    text_printf(t, "landlock-abi %d\n", landlock_abi());
    return true;
}

/* What --contain can make here, as --probe-contain prints it (without the newline). */
static bool probe_contain(char *out, size_t n)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        return false;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], STDOUT_FILENO);
        contain_probe();
    }
    close(p[1]);
    size_t got = 0;
    ssize_t k;
    while (pid > 0 && got + 1 < n && ((k = read(p[0], out + got, n - 1 - got)) > 0 || (k < 0 && errno == EINTR))) {
        got += k > 0 ? (size_t)k : 0;
    }
    close(p[0]);
    int status;
    bool ok = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    out[got] = '\0';
    out[strcspn(out, "\n")] = '\0';
    return ok && got > 0;
}

/* The SHA-256 of a file's content; false when it cannot be read. */
static bool hash_file(const char *path, char hex[65])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    struct sha256 s;
    sha256_init(&s);
    unsigned char buf[16384];
    ssize_t k;
    while ((k = read(fd, buf, sizeof(buf))) != 0) {
        if (k < 0 && errno != EINTR) {
            close(fd);
            return false;
        }
        sha256_update(&s, buf, k > 0 ? (size_t)k : 0);
    }
    close(fd);
    sha256_hex(&s, hex);
    return true;
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
        if (!text_unescape(v) || !probe_contain(now, sizeof(now)) || strcmp(now, v) != 0) {
            snprintf(why, n, "stale: containment differs");
            return false;
        }
    } else if (strcmp(line, "input") == 0) {
        char hex[65];
        char *path = strchr(v, ' ');
        if (path == NULL || !text_unescape(++path) || !hash_file(path, hex) || strncmp(hex, v, 64) != 0) {
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
    if (!dir_trusted(dir, real, why, n)) {
        return false;
    }
    entry_path(real, key, path, sizeof(path));
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
    if (!identity(&expected, key, why, n)) {
        return false;
    }
    if (strncmp(bytes, expected.bytes, expected.len) != 0) {
        mismatch(bytes, expected.bytes, why, n);
        return false;
    }
    if (!read_plan(bytes + expected.len, p, why, n)) {
        return false;
    }
    debug("hit %s", path);
    return true;
}

/* Options of 'syscage run' that take a value and that a cached run may have (the rest go to the JVM). */
static const char *const VALUED[] = {"--profile", "--policy", "--isolate", "--flags", "--grace", "--mode",
                                     "--listener-handoff", "--race-free", "--race-free-opens", "--notify-wait",
                                     "--on-log-error", "--log-format", "--log-level", NULL};
static const char *const FLAGS[] = {"--no-contain", "-q", "--quiet", NULL};

static bool listed(const char *const *list, const char *arg, size_t len)
{
    for (; *list != NULL; list++) {
        if (strlen(*list) == len && strncmp(*list, arg, len) == 0) {
            return true;
        }
    }
    return false;
}

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
        bool valued = listed(VALUED, a, name);
        if (!valued && !(a[name] == '\0' && listed(FLAGS, a, name))) {
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
        debug("not cached: an option or setting only the JVM path knows");
        to_jvm(root, argv + 3, argc - 3, NULL, built);
    }
    struct plan plan = {0};
    if (!built || !lookup(key.bytes, &plan, why, sizeof(why))) {
        debug("miss: %s", why);
        to_jvm(root, argv + 3, argc - 3, key.bytes, built);
    }
    if (!hit_argv(argv[0], &plan, argv + dashes + 1, argc - dashes - 1, out_argc, out_argv)) {
        debug("miss: cannot make the filter's memfd (%s)", errno_text(errno));
        to_jvm(root, argv + 3, argc - 3, key.bytes, built);
    }
    debug("build check %.0f us, lookup %.0f us", walked - start, now_us() - walked);
    if (plan.messages.len > 0 && write(STDERR_FILENO, plan.messages.bytes, plan.messages.len) < 0) {
        /* nothing to do: stderr is gone */
    }
}

/* Store mode's launcher options: which are recorded, which are left out, which forbid storing. */
static bool plan_options(struct text *t, char **options, int count)
{
    static const char *const DROPPED[] = {"--filter", "--filter-fd", "--landlock", "--landlock-fd", "--report-pid",
                                          "--cache-store", NULL};
    static const char *const REFUSED[] = {"--trace-handshake", "--notify-handshake", "--tracer", "--notify-socket",
                                          "--notify-interruptible", "--keep-fd", NULL};
    for (int i = 0; i < count; i++) {
        size_t name = strcspn(options[i], "=");
        if (listed(REFUSED, options[i], name)) {
            return false;
        }
        if (listed(DROPPED, options[i], name)) {
            i += options[i][name] == '\0';
        } else if (strcmp(options[i], "--die-with-parent") != 0) { /* the cached run's parent is the caller */
            text_add(t, "launch ");
            text_escaped(t, options[i]);
            text_add(t, "\n");
        }
    }
    return true;
}

/* The lines of the JVM's request (input PATH, message TEXT, contain), as entry lines. */
static bool request_lines(struct text *t, const char *request, char *why, size_t n)
{
    struct input_source src = {.path = request, .fd = -1};
    size_t total;
    char *text = (char *)input_read(&src, 4u << 20, &total);
    bool ok = total < (4u << 20);
    for (char *line = text, *nl; ok && *line != '\0'; line = nl + 1) {
        nl = strchr(line, '\n');
        ok = nl != NULL;
        if (!ok) {
            break;
        }
        *nl = '\0';
        char hex[65], probe[512], *v = strchr(line, ' ');
        if (strcmp(line, "contain") == 0) {
            ok = probe_contain(probe, sizeof(probe));
            text_add(t, "contain ");
            text_escaped(t, probe);
            text_add(t, "\n");
        } else if (v != NULL && strncmp(line, "input ", 6) == 0) {
            char path[PATH_MAX];
            snprintf(path, sizeof(path), "%s", v + 1);
            ok = text_unescape(path) && hash_file(path, hex);
            text_printf(t, "input %s %s\n", hex, v + 1);
        } else if (v != NULL && strncmp(line, "message ", 8) == 0) {
            text_printf(t, "%s\n", line);
        } else {
            ok = false;
        }
    }
    if (!ok) {
        snprintf(why, n, "bad request %s", request);
    }
    free(text);
    return ok;
}

static int by_mtime(const void *a, const void *b)
{
    const struct timespec *x = &((const struct stat *)a)->st_mtim, *y = &((const struct stat *)b)->st_mtim;
    return x->tv_sec != y->tv_sec ? (x->tv_sec < y->tv_sec ? -1 : 1) : (x->tv_nsec > y->tv_nsec) - (x->tv_nsec < y->tv_nsec);
}

/* Keeps the newest CACHE_MAX_ENTRIES entries; temp files older than an hour go too. */
static void evict(const char *dir)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
    if (d == NULL) {
        return;
    }
    size_t count = 0, cap = 64;
    struct stat *all = malloc(cap * sizeof(*all));
    char (*names)[64] = malloc(cap * 64);
    struct dirent *e;
    while (all != NULL && names != NULL && (e = readdir(d)) != NULL) {
        struct stat st;
        size_t len = strlen(e->d_name);
        bool entry = len == 38 && strcmp(e->d_name + 32, ".entry") == 0;
        if ((!entry && strncmp(e->d_name, ".tmp.", 5) != 0) || fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            continue;
        }
        if (!entry) {
            if (st.st_mtim.tv_sec + 3600 < time(NULL)) {
                unlinkat(dfd, e->d_name, 0);
            }
            continue;
        }
        if (count == cap && ((all = realloc(all, 2 * cap * sizeof(*all))) == NULL
                             || (names = realloc(names, 2 * cap * 64)) == NULL)) {
            break;
        }
        cap = count == cap ? 2 * cap : cap;
        st.st_ino = count; /* the index of its name, for after the sort */
        all[count] = st;
        snprintf(names[count++], 64, "%s", e->d_name);
    }
    if (all != NULL && names != NULL && count > CACHE_MAX_ENTRIES) {
        qsort(all, count, sizeof(*all), by_mtime);
        for (size_t i = 0; i < count - CACHE_MAX_ENTRIES; i++) {
            unlinkat(dfd, names[all[i].st_ino], 0);
        }
    }
    free(all);
    free(names);
    closedir(d);
}

static bool write_entry(const char *dir, const char *key, const struct text *t, char *why, size_t n)
{
    char tmp[PATH_MAX + 16], path[PATH_MAX + 48];
    snprintf(tmp, sizeof(tmp), "%s/.tmp.XXXXXX", dir);
    entry_path(dir, key, path, sizeof(path));
    int fd = mkostemp(tmp, O_CLOEXEC); /* 0600 */
    bool ok = fd >= 0 && write(fd, t->bytes, t->len) == (ssize_t)t->len;
    if (fd >= 0 && (close(fd) != 0 || !ok || rename(tmp, path) != 0)) {
        ok = false;
        unlink(tmp);
    }
    if (!ok) {
        snprintf(why, n, "cannot write %s (%s)", path, errno_text(errno));
        return false;
    }
    debug("stored %s", path);
    return true;
}

void cache_store(const char *request, const unsigned char *filter, size_t filter_len,
                 const unsigned char *landlock, size_t landlock_len, char **options, int option_count)
{
    char dir[PATH_MAX], real[PATH_MAX], why[1024] = "";
    struct text t = {0}, launch = {0};
    if (saved_key == NULL) {
        return; /* not started by bin/syscage's front end: nothing to key the entry by */
    }
    if (!plan_options(&launch, options, option_count)) {
        debug("not stored: a trace or notify run");
        return;
    }
    if (!cache_dir(dir, sizeof(dir))) {
        debug("not stored: no cache directory (no HOME)");
        return;
    }
    make_dirs(dir);
    if (!dir_trusted(dir, real, why, sizeof(why)) || !identity(&t, saved_key, why, sizeof(why))
        || !request_lines(&t, request, why, sizeof(why))) {
        debug("not stored: %s", why);
        return;
    }
    text_add(&t, launch.bytes == NULL ? "" : launch.bytes);
    text_add(&t, "filter ");
    text_hex(&t, filter, filter_len);
    if (landlock_len > 0) {
        text_add(&t, "\nlandlock ");
        text_hex(&t, landlock, landlock_len);
    }
    char sum[65];
    text_add(&t, "\n");
    sha256_of(t.bytes, t.len, sum);
    text_printf(&t, "sum %s\n", sum);
    if (write_entry(real, saved_key, &t, why, sizeof(why))) {
        evict(real);
    } else {
        debug("not stored: %s", why);
    }
}
