/* Is the clone's build out of date? See stale.h. */
#include "stale.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool newer(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

static bool source_name(const char *name)
{
    static const char *const SUFFIXES[] = {".java", ".yaml", ".tsv", ".c", ".h", NULL};
    size_t n = strlen(name);
    for (const char *const *s = SUFFIXES; *s != NULL; s++) {
        size_t k = strlen(*s);
        if (n > k && strcmp(name + n - k, *s) == 0) {
            return true;
        }
    }
    return strcmp(name, "Makefile") == 0;
}

/* One record of getdents64(2): the raw call spares fdopendir's buffer and calls, per directory. */
struct linux_dirent64 {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static bool walk(int dfd, int depth, const struct timespec *jar, char *why, size_t n);

/* One directory entry; true (and why) when it is, or holds, a source newer than the jar. */
static bool visit(int dfd, int depth, const char *name, unsigned char type, const struct timespec *jar, char *why,
                  size_t n)
{
    struct stat st;
    if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) {
        return false;
    }
    if (type == DT_UNKNOWN) {
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            return false;
        }
        type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
    }
    if (type == DT_DIR && !(depth == 0 && (strcmp(name, "target") == 0 || strcmp(name, "build") == 0))) {
        int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return sub >= 0 && walk(sub, depth + 1, jar, why, n);
    }
    if (type == DT_REG && source_name(name) && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0
        && newer(&st.st_mtim, jar)) {
        snprintf(why, n, "build out of date (%s is newer than the jar)", name);
        return true;
    }
    return false;
}

/* Walks dir (an open fd, which it closes); true and the file's name in why when one is newer than jar. */
static bool walk(int dfd, int depth, const struct timespec *jar, char *why, size_t n)
{
    char buf[8192] __attribute__((aligned(8)));
    bool stale = false;
    long got;
    while (!stale && (got = syscall(SYS_getdents64, dfd, buf, sizeof(buf))) > 0) {
        for (long off = 0; off < got && !stale;) {
            struct linux_dirent64 *e = (struct linux_dirent64 *)(buf + off);
            stale = visit(dfd, depth, e->d_name, e->d_type, jar, why, n);
            off += e->d_reclen;
        }
    }
    close(dfd);
    return stale;
}

bool build_stale(const char *root, char *why, size_t n)
{
    static const char *const SOURCES[] = {"policy/src/main", "enforcer/src/main", "profiles", "native", NULL};
    int rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat jar;
    if (rfd < 0 || fstatat(rfd, "enforcer/target/syscage.jar", &jar, 0) != 0
        || faccessat(rfd, "native/build/syscage-launch", X_OK, 0) != 0) {
        snprintf(why, n, "not built");
        if (rfd >= 0) {
            close(rfd);
        }
        return true;
    }
    bool stale = false;
    for (const char *const *s = SOURCES; *s != NULL && !stale; s++) {
        int dfd = openat(rfd, *s, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        stale = dfd >= 0 && walk(dfd, 0, &jar.st_mtim, why, n);
    }
    close(rfd);
    return stale;
}
