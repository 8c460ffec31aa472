/*
 * Test program for counting under a signal storm: opens PATH (a regular file) N times while a
 * child process sends it SIGUSR1 as fast as it can, and counts what each open returned, as the
 * program itself saw it. The handler only counts; with "norestart" it is installed without
 * SA_RESTART, so a call the kernel interrupts returns EINTR instead of being restarted (for a
 * regular file the kernel itself never does that).
 *
 * usage: openstorm N PATH restart|norestart
 * Prints one line: "opens=N ok=A eintr=B other=C signals=S" and exits 0; 2 for a usage error,
 * 1 if the storm could not be started.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t signals;

static void on_usr1(int sig)
{
    (void)sig;
    signals++;
}

/* The child: SIGUSR1 to its parent every 20 microseconds until it is killed or the parent is gone. */
static void storm(pid_t parent)
{
    struct timespec pause = {0, 20000};
    while (kill(parent, SIGUSR1) == 0)
        nanosleep(&pause, NULL);
    _exit(0);
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[3], "restart") && strcmp(argv[3], "norestart"))) {
        fprintf(stderr, "usage: %s N PATH restart|norestart\n", argv[0]);
        return 2;
    }
    long n = strtol(argv[1], NULL, 10);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = strcmp(argv[3], "restart") ? 0 : SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }
    if (child == 0)
        storm(parent);
    long ok = 0, eintr = 0, other = 0;
    for (long i = 0; i < n; i++) {
        int fd = open(argv[2], O_RDONLY);
        if (fd >= 0) {
            ok++;
            close(fd);
        } else if (errno == EINTR) {
            eintr++;
        } else {
            other++;
        }
    }
    kill(child, SIGKILL);
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
        ;
    printf("opens=%ld ok=%ld eintr=%ld other=%ld signals=%ld\n", n, ok, eintr, other, (long)signals);
    return 0;
}
