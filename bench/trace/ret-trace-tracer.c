/*
 * The trace benchmark's comparator: the least a SECCOMP_RET_TRACE supervisor can do, in C, with
 * the same shape as syscage's (seize first, then the child installs the filter and execs; every
 * seccomp stop is read with PTRACE_GET_SYSCALL_INFO and answered). It allows every call, so
 * its cost per event is the floor that ptrace and two context switches set on one machine.
 *
 * usage: ret-trace-tracer [-c] PROGRAM ARGS...
 * The filter sends openat to the tracer and allows every other call of the native
 * architecture; a call of another architecture (or x32) kills the process. Exit status: the
 * program's (128+N if signal N killed it). -c prints the number of seccomp stops on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#define X32_SYSCALL_BIT 0x40000000u
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#define X32_SYSCALL_BIT 0xffffffffu /* no x32: never below, never taken */
#else
#error "ret-trace-tracer: only x86_64 and aarch64"
#endif

#define TRACE_OPTIONS (PTRACE_O_EXITKILL | PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | \
                       PTRACE_O_TRACECLONE | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC)

static void die(const char *call)
{
    fprintf(stderr, "ret-trace-tracer: %s: %s\n", call, strerror(errno));
    exit(125);
}

/* arch check; openat -> RET_TRACE; everything else -> RET_ALLOW */
static void install_filter(void)
{
    struct sock_filter insns[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_AUDIT_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_openat, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof(insns) / sizeof(insns[0]), .filter = insns};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        die("prctl(PR_SET_NO_NEW_PRIVS)");
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
        die("seccomp(SECCOMP_SET_MODE_FILTER)");
}

/* The child: wait until seized (a byte on the pipe), then filter and exec. */
static void run_child(int go_fd, char **argv)
{
    char byte;
    if (read(go_fd, &byte, 1) != 1)
        _exit(125); /* the tracer failed to seize and closed the pipe */
    close(go_fd);
    install_filter();
    execvp(argv[0], argv);
    fprintf(stderr, "ret-trace-tracer: %s: %s\n", argv[0], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
}

/* Resumes a stopped tracee; ESRCH means it died meanwhile (SIGKILL), which waitpid reports. */
static void resume(int request, pid_t pid, int sig)
{
    if (ptrace(request, pid, 0L, (long)sig) != 0 && errno != ESRCH)
        die("ptrace(resume)");
}

/* Answers one ptrace stop; returns 1 if it was a seccomp stop. */
static int handle_stop(pid_t pid, int status)
{
    int sig = WSTOPSIG(status);
    int event = (unsigned)status >> 16;
    struct __ptrace_syscall_info info;
    switch (event) {
    case PTRACE_EVENT_SECCOMP:
        if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof(info), &info) < 0) {
            if (errno == ESRCH)
                return 1;
            die("ptrace(PTRACE_GET_SYSCALL_INFO)");
        }
        if (info.op != PTRACE_SYSCALL_INFO_SECCOMP || info.seccomp.nr != __NR_openat) {
            fprintf(stderr, "ret-trace-tracer: unexpected stop op %u nr %llu\n", info.op,
                    (unsigned long long)info.seccomp.nr);
            exit(125);
        }
        resume(PTRACE_CONT, pid, 0); /* allow */
        return 1;
    case PTRACE_EVENT_STOP:
        /* group-stop: stay stopped until SIGCONT; else a new tracee's first stop */
        if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
            resume(PTRACE_LISTEN, pid, 0);
        else
            resume(PTRACE_CONT, pid, 0);
        return 0;
    case 0:
        resume(PTRACE_CONT, pid, sig); /* signal-delivery stop: deliver it */
        return 0;
    default:
        resume(PTRACE_CONT, pid, 0); /* fork, vfork, clone, exec events */
        return 0;
    }
}

/* Runs until no tracee is left; returns the first child's wait status. */
static int trace_all(pid_t child, int print_count)
{
    int child_status = 0;
    long stops = 0;
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, __WALL);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ECHILD)
                break;
            die("waitpid");
        }
        if (WIFSTOPPED(status))
            stops += handle_stop(pid, status);
        else if (pid == child)
            child_status = status;
    }
    if (print_count)
        fprintf(stderr, "ret-trace-tracer: %ld seccomp stops\n", stops);
    return child_status;
}

int main(int argc, char **argv)
{
    int argi = 1, print_count = 0;
    if (argi < argc && !strcmp(argv[argi], "-c")) {
        print_count = 1;
        argi++;
    }
    if (argi >= argc) {
        fprintf(stderr, "usage: %s [-c] PROGRAM ARGS...\n", argv[0]);
        return 2;
    }
    int go[2];
    if (pipe2(go, O_CLOEXEC) != 0)
        die("pipe2");
    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        close(go[1]);
        run_child(go[0], &argv[argi]);
    }
    close(go[0]);
    if (ptrace(PTRACE_SEIZE, child, 0L, (long)TRACE_OPTIONS) != 0) {
        int err = errno;
        kill(child, SIGKILL);
        errno = err;
        die("ptrace(PTRACE_SEIZE)");
    }
    if (write(go[1], "g", 1) != 1)
        die("write(go pipe)");
    close(go[1]);
    int status = trace_all(child, print_count);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
