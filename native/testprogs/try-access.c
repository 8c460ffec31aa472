/*
 * Test program for the launcher's Landlock domain: tries each access it is given and prints
 * what the kernel answered, one line per argument, in order:
 *   read:/etc/hostname ok
 *   mem:4242 errno EACCES
 *
 * usage: try-access OP:ARG...
 *   read:PATH      open(PATH, O_RDONLY) and read one byte
 *   write:PATH     open(PATH, O_WRONLY|O_CREAT|O_TRUNC, 0600) and write one byte
 *   list:DIR       opendir(DIR) and readdir once
 *   mkblk:PATH     mknod(PATH, S_IFBLK|0600, makedev(7, 0)) (a loop device), removed again
 *   mem:PID        open("/proc/PID/mem", O_RDWR)
 *   kill0:PID      kill(PID, 0)
 *   child:SIG      fork a child that waits, kill(child, SIG), reap it: ok if SIG ended it
 *   connect:PORT   TCP connect to 127.0.0.1:PORT
 * Exit status 0 whatever the answers (they are the output); 2 for a usage error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strerrorname_np */
#endif
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

/* Each returns 0, or an errno. */

static int try_read(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    char c;
    int err = read(fd, &c, 1) < 0 ? errno : 0;
    close(fd);
    return err;
}

static int try_write(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno;
    int err = write(fd, "x", 1) != 1 ? errno : 0;
    close(fd);
    return err;
}

static int try_list(const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL)
        return errno;
    errno = 0;
    int err = readdir(d) == NULL ? errno : 0;
    closedir(d);
    return err;
}

static int try_mkblk(const char *path)
{
    if (mknod(path, S_IFBLK | 0600, makedev(7, 0)) != 0)
        return errno;
    unlink(path);
    return 0;
}

static int try_mem(const char *pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%s/mem", pid);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return errno;
    close(fd);
    return 0;
}

static int try_kill0(const char *pid)
{
    return kill((pid_t)atoi(pid), 0) != 0 ? errno : 0;
}

static int try_child(const char *sig)
{
    pid_t child = fork();
    if (child < 0)
        return errno;
    if (child == 0) {
        for (;;)
            pause();
    }
    int err = kill(child, atoi(sig)) != 0 ? errno : 0;
    if (err != 0)
        kill(child, SIGKILL); /* so the wait below ends; the answer is kill's */
    int status;
    if (waitpid(child, &status, 0) < 0)
        return errno;
    if (err == 0 && !(WIFSIGNALED(status) && WTERMSIG(status) == atoi(sig)))
        return ECHILD;
    return err;
}

static int try_connect(const char *port)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return errno;
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)atoi(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int err = connect(s, (struct sockaddr *)&a, sizeof(a)) != 0 ? errno : 0;
    close(s);
    return err;
}

static const struct {
    const char *op;
    int (*run)(const char *arg);
} OPS[] = {
    {"read", try_read}, {"write", try_write}, {"list", try_list}, {"mkblk", try_mkblk},
    {"mem", try_mem}, {"kill0", try_kill0}, {"child", try_child}, {"connect", try_connect},
};

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        char *colon = strchr(argv[i], ':');
        size_t n = colon != NULL ? (size_t)(colon - argv[i]) : 0;
        int (*run)(const char *) = NULL;
        for (size_t k = 0; k < sizeof(OPS) / sizeof(OPS[0]); k++) {
            if (colon != NULL && strlen(OPS[k].op) == n && strncmp(argv[i], OPS[k].op, n) == 0)
                run = OPS[k].run;
        }
        if (run == NULL) {
            fprintf(stderr, "try-access: '%s' is not OP:ARG with a known OP\n", argv[i]);
            return 2;
        }
        int err = run(colon + 1);
        if (err == 0)
            printf("%s ok\n", argv[i]);
        else
            printf("%s errno %s\n", argv[i], strerrorname_np(err));
        fflush(stdout);
    }
    return 0;
}
