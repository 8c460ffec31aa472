/* Closes every fd >= 3 but the kept ones (see fds.h). Runs before the filter is installed. */
#include "fds.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "die.h"

#define FIRST_CLOSED 3

static int compare_ints(const void *a, const void *b)
{
    int x = *(const int *)a;
    int y = *(const int *)b;
    return (x > y) - (x < y);
}

static void hand_on(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0) {
        char what[64];
        snprintf(what, sizeof(what), "--keep-fd %d: fcntl(F_GETFD)", fd);
        die_errno(STATUS_LAUNCH_FAILED, errno, what, errno == EBADF ? "the fd is not open" : NULL);
    }
    if ((flags & FD_CLOEXEC) && fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0) {
        char what[64];
        snprintf(what, sizeof(what), "--keep-fd %d: fcntl(F_SETFD)", fd);
        die_errno(STATUS_LAUNCH_FAILED, errno, what, NULL);
    }
}

/* One close_range(2) call; *first makes an ENOSYS/EINVAL on the first call a "not supported". */
static bool close_span(unsigned int from, unsigned int to, bool *first)
{
#ifdef SYS_close_range
    if (syscall(SYS_close_range, from, to, 0) == 0) {
        *first = false;
        return true;
    }
    if (*first && (errno == ENOSYS || errno == EINVAL)) {
        return false;
    }
    die_errno(STATUS_LAUNCH_FAILED, errno, "close_range", NULL);
#else
    (void)from;
    (void)to;
    (void)first;
    return false;
#endif
}

/* close_range(2) over the gaps between the sorted kept fds; false if the kernel lacks it. */
static bool close_gaps(const int *keep, size_t count)
{
    bool first = true;
    unsigned int from = FIRST_CLOSED;
    for (size_t i = 0; i < count; i++) {
        unsigned int fd = (unsigned int)keep[i];
        if (fd > from && !close_span(from, fd - 1, &first)) {
            return false;
        }
        if (fd >= from) {
            from = fd + 1;
        }
    }
    return close_span(from, UINT_MAX, &first);
}

static bool is_kept(int fd, const int *keep, size_t count)
{
    return bsearch(&fd, keep, count, sizeof(*keep), compare_ints) != NULL;
}

/* Fallback for kernels before 5.9: close what /proc/self/fd lists. */
static void close_listed(const int *keep, size_t count)
{
    DIR *dir = opendir("/proc/self/fd");
    if (dir == NULL) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "opendir(/proc/self/fd)",
                  "closing inherited fds needs close_range(2) (Linux 5.9) or a mounted /proc");
    }
    int own = dirfd(dir);
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        char *end;
        long fd = strtol(entry->d_name, &end, 10);
        if (*end != '\0' || end == entry->d_name || fd < FIRST_CLOSED || fd == own) {
            continue;
        }
        if (!is_kept((int)fd, keep, count) && close((int)fd) != 0 && errno != EINTR) {
            die_errno(STATUS_LAUNCH_FAILED, errno, "close", NULL);
        }
    }
    closedir(dir);
}

void fds_close_except(int *keep, size_t count, int own_fd)
{
    qsort(keep, count, sizeof(*keep), compare_ints);
    for (size_t i = 0; i < count; i++) {
        if (keep[i] == own_fd) {
            /* The launcher opened own_fd on this number, so the fd given was not open. */
            char what[64];
            snprintf(what, sizeof(what), "--keep-fd %d: fcntl(F_GETFD)", own_fd);
            die_errno(STATUS_LAUNCH_FAILED, EBADF, what, "the fd is not open");
        }
        if (keep[i] >= FIRST_CLOSED) {
            hand_on(keep[i]);
        }
    }
    /* own_fd stays open as it is (close-on-exec): one more gap not to close. */
    int *spared = malloc((count + 1) * sizeof(*spared));
    if (spared == NULL) {
        die_errno(STATUS_LAUNCH_FAILED, ENOMEM, "malloc", NULL);
    }
    memcpy(spared, keep, count * sizeof(*keep));
    size_t spared_count = count;
    if (own_fd >= FIRST_CLOSED) {
        spared[spared_count++] = own_fd;
        qsort(spared, spared_count, sizeof(*spared), compare_ints);
    }
    if (!close_gaps(spared, spared_count)) {
        close_listed(spared, spared_count);
    }
    free(spared);
}
