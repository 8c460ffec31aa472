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

static void relay(int sig)
{
    int saved = errno;
    if (relay_target > 0) {
        kill(relay_target, sig);
    }
    errno = saved;
}

/* From now on each of sigs[0..n) sent to this process goes to pid instead. 0, or -errno. */
int syscage_relay_signals(int pid, const int *sigs, int n)
{
    relay_target = pid;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = relay;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < n; i++) {
        if (sigaction(sigs[i], &sa, NULL) != 0) {
            return -errno;
        }
    }
    return 0;
}
