/*
 * Start-up cost of running a program under a seccomp filter, several ways side by side:
 * each command is run N times, the commands interleaved round by round so that drift in the
 * machine's speed hits them all alike; prints the median wall time of each and its ratio to
 * the first (the bare exec).
 *
 * usage: launch-bench ROUNDS FILTER.bpf :: NAME CMD ARGS... [:: NAME CMD ARGS...]...
 * An argument "@FILTER_FD" is replaced by 3, and the filter file is opened on fd 3 for that
 * command (what bwrap --seccomp FD needs).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 12

struct command {
    const char *name;
    char **argv;
    int wants_fd;
    double *times;
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double run_once(struct command *c, const char *filter)
{
    double start = now_ms();
    pid_t pid = fork();
    if (pid < 0) {
        perror("launch-bench: fork");
        exit(1);
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 0);
        dup2(devnull, 1);
        if (c->wants_fd) {
            int fd = open(filter, O_RDONLY);
            if (fd < 0 || dup2(fd, 3) < 0) {
                perror("launch-bench: filter");
                _exit(126);
            }
        }
        execvp(c->argv[0], c->argv);
        perror(c->argv[0]);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    double t = now_ms() - start;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "launch-bench: %s failed (status 0x%x)\n", c->name, status);
        exit(1);
    }
    return t;
}

int main(int argc, char **argv)
{
    if (argc < 5 || strcmp(argv[3], "::") != 0) {
        fprintf(stderr, "usage: %s ROUNDS FILTER.bpf :: NAME CMD ARGS... [:: NAME CMD ARGS...]...\n", argv[0]);
        return 2;
    }
    int rounds = atoi(argv[1]);
    const char *filter = argv[2];
    struct command cmds[MAX_CMDS];
    int n = 0;
    for (int i = 4; i < argc && n < MAX_CMDS;) {
        struct command *c = &cmds[n++];
        c->name = argv[i++];
        c->argv = &argv[i];
        c->wants_fd = 0;
        while (i < argc && strcmp(argv[i], "::") != 0) {
            if (!strcmp(argv[i], "@FILTER_FD")) {
                argv[i] = "3";
                c->wants_fd = 1;
            }
            i++;
        }
        if (i < argc)
            argv[i++] = NULL; /* terminate this command's argv at the "::" */
        c->times = calloc(rounds, sizeof(double));
    }
    for (int c = 0; c < n; c++) /* warm-up: page cache, CDS archive */
        for (int k = 0; k < 3; k++)
            run_once(&cmds[c], filter);
    for (int r = 0; r < rounds; r++)
        for (int c = 0; c < n; c++)
            cmds[c].times[r] = run_once(&cmds[c], filter);
    double base = 0;
    printf("%-42s %12s %12s %10s\n", "", "median ms", "+ms vs bare", "ratio");
    for (int c = 0; c < n; c++) {
        qsort(cmds[c].times, rounds, sizeof(double), cmp_double);
        double med = cmds[c].times[rounds / 2];
        if (c == 0)
            base = med;
        printf("%-42s %12.3f %12.3f %10.2f\n", cmds[c].name, med, med - base, med / base);
    }
    return 0;
}
