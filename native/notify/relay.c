/*
 * libsyscage-notify's second job: passing the signals sent to syscage's JVM on to the launcher,
 * from a C handler. The JVM keeps SIGQUIT for its thread dumps and, when it was started with a
 * signal ignored (as a shell starts background jobs), will not let Java handle SIGINT; a handler
 * installed here takes the signal over whatever the JVM did, and only calls kill(2), which is
 * async-signal-safe.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>

static volatile pid_t relay_target;
/* signals that came while held (no target yet), one bit each: passed on once the target is known */
static unsigned long held_signals;

static void forward_held(pid_t pid)
{
    unsigned long held = __atomic_exchange_n(&held_signals, 0UL, __ATOMIC_SEQ_CST);
    for (int sig = 1; held != 0 && sig < (int)(8 * sizeof(held)); sig++) {
        if (held & (1UL << sig)) {
            held &= ~(1UL << sig);
            kill(pid, sig);
        }
    }
}

static void relay(int sig)
{
    int saved = errno;
    pid_t pid = __atomic_load_n(&relay_target, __ATOMIC_SEQ_CST);
    if (pid > 0) {
        kill(pid, sig);
    } else {
        __atomic_fetch_or(&held_signals, 1UL << sig, __ATOMIC_SEQ_CST);
        /* the target may have been set since it was read: then nobody else forwards this one */
        pid = __atomic_load_n(&relay_target, __ATOMIC_SEQ_CST);
        if (pid > 0) {
            forward_held(pid);
        }
    }
    errno = saved;
}

static int install(const int *sigs, int n)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = relay;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < n; i++) {
        if (sigs[i] <= 0 || sigs[i] >= (int)(8 * sizeof(held_signals)) || sigaction(sigs[i], &sa, NULL) != 0) {
            return sigs[i] <= 0 ? -EINVAL : -errno;
        }
    }
    return 0;
}

/*
 * Before the launcher starts: each of sigs[0..n) sent to this process is kept, not acted on,
 * until syscage_relay_signals names where it goes; so a signal sent as soon as the program runs
 * is not lost to the JVM's own handling. 0, or -errno.
 */
int syscage_relay_hold(const int *sigs, int n)
{
    return install(sigs, n);
}

/* From now on each of sigs[0..n) sent to this process goes to pid instead, those held first. 0, or -errno. */
int syscage_relay_signals(int pid, const int *sigs, int n)
{
    __atomic_store_n(&relay_target, pid, __ATOMIC_SEQ_CST);
    int rc = install(sigs, n);
    forward_held(pid);
    return rc;
}
