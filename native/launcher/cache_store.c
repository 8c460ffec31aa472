/* The run cache's store mode (--cache-store): see cache.h. */
#include "cache.h"

/* messages (why) may be cut short; paths have room for PATH_MAX and what is added to them */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache_entry.h"
#include "cache_text.h"
#include "die.h"
#include "input.h"
#include "sha256.h"

static char *saved_key; /* SYSCAGE_CACHE_KEY as the launcher found it */

void cache_take_env(void)
{
    const char *k = getenv(CACHE_KEY_ENV);
    if (k != NULL && saved_key == NULL) {
        saved_key = strdup(k);
    }
    unsetenv(CACHE_KEY_ENV);
    unsetenv(CACHED_RUN_ENV);
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
        if (cache_listed(REFUSED, options[i], name)) {
            return false;
        }
        if (cache_listed(DROPPED, options[i], name)) {
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
            ok = cache_probe_contain(probe, sizeof(probe));
            text_add(t, "contain ");
            text_escaped(t, probe);
            text_add(t, "\n");
        } else if (v != NULL && strncmp(line, "input ", 6) == 0) {
            char path[PATH_MAX];
            snprintf(path, sizeof(path), "%s", v + 1);
            ok = text_unescape(path) && cache_hash_file(path, hex);
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
    cache_entry_path(dir, key, path, sizeof(path));
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
    cache_debug("stored %s", path);
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
        cache_debug("not stored: a trace or notify run");
        return;
    }
    if (!cache_dir(dir, sizeof(dir))) {
        cache_debug("not stored: no cache directory (no HOME)");
        return;
    }
    cache_make_dirs(dir);
    if (!cache_dir_trusted(dir, real, why, sizeof(why)) || !cache_identity(&t, saved_key, why, sizeof(why))
        || !request_lines(&t, request, why, sizeof(why))) {
        cache_debug("not stored: %s", why);
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
        cache_debug("not stored: %s", why);
    }
}
