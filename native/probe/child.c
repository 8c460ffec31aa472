/*
 * One case = one forked child. The child installs the filter, makes the call and writes what
 * happened into a record in MAP_SHARED memory; then it ends. Under the filter it may make no
 * syscall the test did not ask for, because the filter may deny anything: it reports without
 * write(2), and if exit_group(2) is denied too it ends itself with an invalid instruction.
 *
 * What the parent prints is decided in this order: a complete record (the call returned, or
 * SIGSYS from a `trap` action reached the handler) wins; otherwise the wait status says the
 * child was killed (a `kill` action: SIGSYS; the timeout: SIGALRM) or exited (an allowed
 * exit(2) or exit_group(2) was the call under test).
 *
 * Kernel facts (verified on Linux 6.18 by ProbeTest): SECCOMP_RET_TRACE with no tracer
 * attached fails the call with ENOSYS (__seccomp_filter() checks ptrace_event_enabled() for
 * PTRACE_EVENT_SECCOMP), and so does SECCOMP_RET_USER_NOTIF when the filter was installed
 * without SECCOMP_FILTER_FLAG_NEW_LISTENER, as here: seccomp_do_user_notification() finds no
 * notification state and returns -ENOSYS. kill_thread on a single-threaded process ends it
 * with SIGSYS, like kill.
 */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum record_state { RECORD_EMPTY, RECORD_WRITING, RECORD_DONE };
enum record_kind { RECORD_RETURN, RECORD_TRAP, RECORD_SETUP_FAILED };

/*
 * What the child reports. `claim` is the case's sequence number shifted left by 2, or'ed with a
 * record_state; the first writer of the current case wins, so the second process an allowed
 * clone makes, or one that outlives its case, cannot overwrite or fill a later case's record.
 */
struct probe_record {
    uint64_t claim;
    int kind;
    int64_t value;        /* raw return, trap data (si_errno), or -errno of the failed setup */
    int32_t trap_syscall; /* si_syscall */
    uint32_t trap_arch;   /* si_arch */
};

static struct probe_record *record;
static uint64_t sequence; /* the current case; the child has its own copy from the fork */
static int null_fd = -1;

static int record_claim(void)
{
    uint64_t expected = sequence << 2 | RECORD_EMPTY;
    return __atomic_compare_exchange_n(&record->claim, &expected, sequence << 2 | RECORD_WRITING, 0,
                                       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static void record_publish(void)
{
    uint64_t expected = sequence << 2 | RECORD_WRITING;
    __atomic_compare_exchange_n(&record->claim, &expected, sequence << 2 | RECORD_DONE, 0, __ATOMIC_SEQ_CST,
                                __ATOMIC_SEQ_CST);
}

static int record_done(void)
{
    return __atomic_load_n(&record->claim, __ATOMIC_SEQ_CST) == (sequence << 2 | RECORD_DONE);
}

/* exit_group(0) with the raw instruction; if the filter denies it, an invalid instruction. */
static void __attribute__((noreturn)) child_end(void)
{
    static const uint64_t none[6];
    raw_syscall64(SYS_exit_group, none);
    __builtin_trap();
}

/*
 * SIGSYS from a `trap` action. A second SIGSYS (a trapped exit_group) arrives while this one
 * is blocked, so the kernel kills the child with it: the record is already complete.
 */
static void on_sigsys(int sig, siginfo_t *si, void *uctx)
{
    (void)sig;
    (void)uctx;
    if (!record_claim()) {
        __builtin_trap();
    }
    record->kind = RECORD_TRAP;
    record->value = si->si_errno;
    record->trap_syscall = si->si_syscall;
    record->trap_arch = si->si_arch;
    record_publish();
    child_end();
}

void child_setup(void)
{
    record = mmap(NULL, sizeof(*record), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (record == MAP_FAILED) {
        fprintf(stderr, "%s: mmap(MAP_SHARED): %s\n", PROGRAM_NAME, strerror(errno));
        exit(1);
    }
    null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0) {
        fprintf(stderr, "%s: open /dev/null: %s\n", PROGRAM_NAME, strerror(errno));
        exit(1);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSYS, &sa, NULL) != 0) {
        fprintf(stderr, "%s: sigaction(SIGSYS): %s\n", PROGRAM_NAME, strerror(errno));
        exit(1);
    }
}

/*
 * The child: stdin and stdout become /dev/null (an allowed read(0) must not eat the cases, an
 * allowed write(1) must not mix with the results), a timeout is armed, the filter goes in,
 * (after the guard, if any), and from there on the only syscalls are the call under test and exit_group.
 */
static void __attribute__((noreturn)) child_main(const struct probe_filters *f, const struct probe_case *c,
                                                 unsigned timeout_s)
{
    if (dup2(null_fd, 0) < 0 || dup2(null_fd, 1) < 0) {
        _exit(125);
    }
    alarm(timeout_s);
    long err = f->guard != NULL ? filter_install(f->guard) : 0;
    if (err == 0) {
        err = filter_install(f->under_test);
    }
    if (err != 0) {
        if (record_claim()) {
            record->kind = RECORD_SETUP_FAILED;
            record->value = err;
            record_publish();
        }
        _exit(125);
    }
    int64_t r = c->abi == ABI_64 ? raw_syscall64(c->nr, c->args) : raw_int80(c->nr, c->args);
    if (record_claim()) {
        record->kind = RECORD_RETURN;
        record->value = r;
        record_publish();
    }
    child_end();
}

static struct probe_outcome outcome_of(int status)
{
    struct probe_outcome o;
    memset(&o, 0, sizeof(o));
    if (record_done()) {
        if (record->kind == RECORD_SETUP_FAILED) {
            int e = (int)-record->value;
            fprintf(stderr, "%s: seccomp(SECCOMP_SET_MODE_FILTER): %s%s\n", PROGRAM_NAME, strerror(e),
                    e == EINVAL ? " (Hint: the kernel refused the program; is it a valid seccomp filter, and "
                                  "is the kernel built with CONFIG_SECCOMP_FILTER?)"
                                : "");
            exit(1);
        }
        o.kind = record->kind == RECORD_TRAP ? OUT_TRAP : OUT_RETURN;
        o.value = record->value;
        o.trap_syscall = record->trap_syscall;
        o.trap_arch = record->trap_arch;
    } else if (WIFSIGNALED(status)) {
        o.kind = OUT_SIGNAL;
        o.value = WTERMSIG(status);
    } else {
        o.kind = OUT_EXIT;
        o.value = WEXITSTATUS(status);
    }
    return o;
}

struct probe_outcome child_run(const struct probe_filters *f, const struct probe_case *c, unsigned timeout_s)
{
    sequence++;
    record->kind = 0;
    record->value = 0;
    __atomic_store_n(&record->claim, sequence << 2 | RECORD_EMPTY, __ATOMIC_SEQ_CST);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "%s: fork: %s\n", PROGRAM_NAME, strerror(errno));
        exit(1);
    }
    if (pid == 0) {
        child_main(f, c, timeout_s);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "%s: waitpid: %s\n", PROGRAM_NAME, strerror(errno));
            exit(1);
        }
    }
    return outcome_of(status);
}
