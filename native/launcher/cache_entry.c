/* The run cache's entries: where they live, what they are keyed by, trust. See cache_entry.h. */
#include "cache_entry.h"

/* messages (why) may be cut short; paths have room for PATH_MAX and what is added to them */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "contain.h"
#include "landlock_uapi.h"
#include "sha256.h"

#ifndef SYSCAGE_BUILD_ID
#define SYSCAGE_BUILD_ID "unknown"
#endif

bool cache_debugging(void)
{
    const char *d = getenv("SYSCAGE_CACHE_DEBUG");
    return d != NULL && strcmp(d, "1") == 0;
}

__attribute__((format(printf, 1, 2))) void cache_debug(const char *fmt, ...)
{
    if (!cache_debugging()) {
        return;
    }
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "syscage: cache: %s\n", line);
}

/* $SYSCAGE_CACHE_DIR, else $XDG_CACHE_HOME/syscage, else $HOME/.cache/syscage; absolute only. */
bool cache_dir(char *out, size_t n)
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
bool cache_dir_trusted(const char *dir, char *real, char *why, size_t n)
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
void cache_make_dirs(const char *dir)
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

void cache_entry_path(const char *dir, const char *key, char *out, size_t n)
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
bool cache_identity(struct text *t, const char *key, char *why, size_t n)
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
bool cache_probe_contain(char *out, size_t n)
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
bool cache_hash_file(const char *path, char hex[65])
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

bool cache_listed(const char *const *list, const char *arg, size_t len)
{
    for (; *list != NULL; list++) {
        if (strlen(*list) == len && strncmp(*list, arg, len) == 0) {
            return true;
        }
    }
    return false;
}

