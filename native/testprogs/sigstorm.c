/*
 * Test program for a signal storm during a slow supervisor decision: a 50 ms interval timer
 * (setitimer, SIGALRM with an SA_RESTART handler that only counts) runs while the program makes
 * one openat of PATH, which the supervisor takes its time to decide. A call interrupted while
 * its notification waits is restarted by the kernel and notified again.
 *
 * usage: sigstorm PATH
 * Prints "open: ok alarms=N" (N: SIGALRMs delivered until the open returned) or
 * "open: errno ENAME alarms=N". Exit status 0; 2 for a usage error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strerrorname_np */
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH\n", argv[0]);
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval every = {{0, 50000}, {0, 50000}};
    setitimer(ITIMER_REAL, &every, NULL);
    int fd = openat(AT_FDCWD, argv[1], O_RDONLY);
    int err = errno;
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    if (fd < 0)
        printf("open: errno %s alarms=%d\n", strerrorname_np(err), (int)alarms);
    else
        printf("open: ok alarms=%d\n", (int)alarms);
    return 0;
}
