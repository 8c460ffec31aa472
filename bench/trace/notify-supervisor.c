/*
 * The notify benchmark's comparator: the least a seccomp user-notification supervisor can do, in
 * C. It allows every call it is asked about with SECCOMP_USER_NOTIF_FLAG_CONTINUE, so its cost
 * per event is the floor that a notification round trip (two context switches and three ioctls
 * on the supervisor's side: none, RECV, SEND) sets on one machine.
 *
 * The child installs the filter with SECCOMP_FILTER_FLAG_NEW_LISTENER, hands the listener to the
 * parent with SCM_RIGHTS over a socketpair, closes its own copy and execs the program. The parent
 * loops RECV -> SEND on a blocking listener; it ends in its SIGCHLD handler, which reaps the child
 * and exits like it (the workload does not fork, so the child is the filter's only user).
 *
 * usage: notify-supervisor [-s] [-r] [-c] PROGRAM ARGS...
 *   -s  set SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP on the listener (Linux 6.6+; fails if absent)
 *   -r  also do what any supervisor that looks at the path must: read it from the caller
 *       (process_vm_readv, up to 256 bytes) and check SECCOMP_IOCTL_NOTIF_ID_VALID before
 *       answering; the path is then dropped (no decision, no log)
 *   -c  print the number of notifications answered on stderr
 * The filter sends openat to the supervisor and allows every other call of the native
 * architecture; a call of another architecture (or x32) kills the process. Exit status: the
 * program's (128+N if signal N killed it); 125 if the supervisor itself failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#define X32_SYSCALL_BIT 0x40000000u
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#define X32_SYSCALL_BIT 0xffffffffu /* no x32: never below, never taken */
#else
#error "notify-supervisor: only x86_64 and aarch64"
#endif

/* Linux 6.6 uapi; the build machine's headers may be older. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

static pid_t child_pid;
static int read_path;
static volatile long answered;
static int print_count;

static void die(const char *call)
{
    fprintf(stderr, "notify-supervisor: %s: %s\n", call, strerror(errno));
    if (child_pid > 0)
        kill(child_pid, SIGKILL);
    exit(125);
}

/* arch check; openat -> RET_USER_NOTIF; everything else -> RET_ALLOW. Returns the listener. */
static int install_filter(void)
{
    struct sock_filter insns[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_AUDIT_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_openat, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof(insns) / sizeof(insns[0]), .filter = insns};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        die("prctl(PR_SET_NO_NEW_PRIVS)");
    int listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    if (listener < 0)
        die("seccomp(SECCOMP_SET_MODE_FILTER, NEW_LISTENER)");
    return listener;
}

/* Sends fd as SCM_RIGHTS ancillary data with one byte of payload. */
static void send_fd(int sock, int fd)
{
    char byte = 'l';
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    memset(&control, 0, sizeof(control));
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                         .msg_controllen = sizeof(control.buf)};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    if (sendmsg(sock, &msg, 0) != 1)
        die("sendmsg(listener)");
}

/* Receives the fd send_fd sent; dies if the child closed the socket without sending one. */
static int recv_fd(int sock)
{
    char byte;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                         .msg_controllen = sizeof(control.buf)};
    ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    struct cmsghdr *cm = n == 1 ? CMSG_FIRSTHDR(&msg) : NULL;
    if (cm == NULL || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(int))) {
        if (n >= 0)
            errno = EPROTO; /* the child failed before sending (its message is on stderr) */
        die("recvmsg(listener)");
    }
    int fd;
    memcpy(&fd, CMSG_DATA(cm), sizeof(int));
    return fd;
}

/* The child: filter, hand the listener over, drop every copy of it, exec. */
static void run_child(int sock, char **argv)
{
    int listener = install_filter();
    send_fd(sock, listener);
    close(listener);
    close(sock);
    execvp(argv[0], argv);
    fprintf(stderr, "notify-supervisor: %s: %s\n", argv[0], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
}

/* Writes "notify-supervisor: N notifications\n" with async-signal-safe calls only. */
static void write_count(long n)
{
    char buf[64], digits[24];
    int d = 0;
    do {
        digits[d++] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    size_t len = strlen(strcpy(buf, "notify-supervisor: "));
    while (d > 0)
        buf[len++] = digits[--d];
    strcpy(buf + len, " notifications\n");
    ssize_t ignored = write(STDERR_FILENO, buf, strlen(buf));
    (void)ignored;
}

/* SIGCHLD: once the child is gone nobody can notify any more; exit like it did. */
static void on_sigchld(int sig)
{
    (void)sig;
    int status;
    if (waitpid(child_pid, &status, WNOHANG) != child_pid)
        return; /* stopped or continued */
    if (print_count)
        write_count(answered);
    _exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
}

/* RECV -> SEND(CONTINUE) until on_sigchld ends the process. */
static void serve(int listener)
{
    struct seccomp_notif req;
    struct seccomp_notif_resp resp;
    for (;;) {
        memset(&req, 0, sizeof(req)); /* the kernel insists on a zeroed buffer */
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) {
            if (errno == EINTR || errno == ENOENT)
                continue; /* a signal here; or the caller went away before we got it */
            die("ioctl(SECCOMP_IOCTL_NOTIF_RECV)");
        }
        if (req.data.nr != __NR_openat) {
            fprintf(stderr, "notify-supervisor: unexpected notification nr %d\n", req.data.nr);
            die("serve");
        }
        if (read_path) {
            char path[256];
            struct iovec local = {.iov_base = path, .iov_len = sizeof(path)};
            struct iovec remote = {.iov_base = (void *)(uintptr_t)req.data.args[1], .iov_len = sizeof(path)};
            if (process_vm_readv(req.pid, &local, 1, &remote, 1, 0) < 0)
                die("process_vm_readv");
            if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req.id) != 0) {
                if (errno == ENOENT)
                    continue; /* the caller went away: nothing to answer */
                die("ioctl(SECCOMP_IOCTL_NOTIF_ID_VALID)");
            }
        }
        memset(&resp, 0, sizeof(resp));
        resp.id = req.id;
        resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE; /* allow: the kernel runs the call */
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0 && errno != ENOENT)
            die("ioctl(SECCOMP_IOCTL_NOTIF_SEND)");
        answered++;
    }
}

int main(int argc, char **argv)
{
    int argi = 1, sync_wake_up = 0;
    for (; argi < argc && argv[argi][0] == '-'; argi++) {
        if (!strcmp(argv[argi], "-s"))
            sync_wake_up = 1;
        else if (!strcmp(argv[argi], "-c"))
            print_count = 1;
        else if (!strcmp(argv[argi], "-r"))
            read_path = 1;
        else
            break;
    }
    if (argi >= argc || argv[argi][0] == '-') {
        fprintf(stderr, "usage: %s [-s] [-r] [-c] PROGRAM ARGS...\n", argv[0]);
        return 2;
    }
    struct sigaction sa = {.sa_handler = on_sigchld, .sa_flags = SA_NOCLDSTOP};
    sigemptyset(&sa.sa_mask);
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    /* SIGCHLD stays blocked until the listener is in hand, so the handler sees a known child */
    if (sigprocmask(SIG_BLOCK, &chld, &old) != 0 || sigaction(SIGCHLD, &sa, NULL) != 0)
        die("sigaction(SIGCHLD)");
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        die("socketpair");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(sv[0]);
        sigprocmask(SIG_SETMASK, &old, NULL);
        signal(SIGCHLD, SIG_DFL);
        run_child(sv[1], &argv[argi]);
    }
    child_pid = pid;
    close(sv[1]);
    int listener = recv_fd(sv[0]);
    close(sv[0]);
    if (sync_wake_up && ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) != 0)
        die("ioctl(SECCOMP_IOCTL_NOTIF_SET_FLAGS, SYNC_WAKE_UP) (needs Linux 6.6+)");
    if (sigprocmask(SIG_SETMASK, &old, NULL) != 0)
        die("sigprocmask");
    serve(listener);
    return 125; /* not reached */
}
