/*
 * Test program for what the notify supervisor may remember about a thread between the opens it
 * makes for it (see ViewWatch): each step opens a file, changes what the thread may open, and
 * opens again, printing one line per open ("NAME: ok" or "NAME: errno EACCES"):
 *   viewchange drop FILE      open FILE; drop to uid/gid 65534 with no groups; open FILE again
 *   viewchange umask DIR      create DIR/a with umask 022, DIR/b with umask 077 (mode 0666 asked);
 *                             prints "a: mode 644" and "b: mode 600"
 *   viewchange child FILE     open FILE; fork; the child drops to 65534 and opens FILE
 * Exit status 0; 1 when a step other than an open fails; 2 for a usage error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strerrorname_np */
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void try_open(const char *label, const char *path)
{
    int fd = openat(AT_FDCWD, path, O_RDONLY);
    if (fd < 0) {
        printf("%s: errno %s\n", label, strerrorname_np(errno));
    } else {
        printf("%s: ok\n", label);
        close(fd);
    }
    fflush(stdout);
}

static int drop(void)
{
    if (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) {
        perror("viewchange: drop");
        return 1;
    }
    return 0;
}

static int create(const char *label, const char *dir, const char *name, mode_t mask)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    umask(mask);
    int fd = openat(AT_FDCWD, path, O_CREAT | O_WRONLY | O_EXCL, 0666);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        printf("%s: errno %s\n", label, strerrorname_np(errno));
        return 0;
    }
    close(fd);
    printf("%s: mode %o\n", label, (unsigned)(st.st_mode & 07777));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: viewchange drop|umask|child PATH\n");
        return 2;
    }
    const char *step = argv[1], *path = argv[2];
    if (strcmp(step, "drop") == 0) {
        try_open("before", path);
        if (drop() != 0) {
            return 1;
        }
        try_open("after", path);
        return 0;
    }
    if (strcmp(step, "umask") == 0) {
        create("a", path, "a", 022);
        create("b", path, "b", 077);
        return 0;
    }
    if (strcmp(step, "child") == 0) {
        try_open("parent", path);
        pid_t pid = fork();
        if (pid == 0) {
            _exit(drop() != 0 ? 1 : (try_open("child", path), 0));
        }
        int status;
        return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    }
    fprintf(stderr, "viewchange: unknown step '%s'\n", step);
    return 2;
}
