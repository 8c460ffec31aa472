/*
 * syscage-launch: installs an already-compiled seccomp filter, and optionally a Landlock ruleset,
 * and executes a program under them.
 *
 *   syscage-launch (--filter FILE | --filter-fd N) [--landlock FILE | --landlock-fd N]
 *                  [--flags LIST] [--keep-fd N]... -- PROG [ARG...]
 *
 * The steps, in order; each dies with status 125 (126/127 for the program lookup) before the
 * program can run unconfined:
 *   1. parse arguments and SYSCAGE_LAUNCH_INJECT       (main.c, inject.c)
 *   2. read and check the filter and the Landlock ruleset file, close their fds
 *                                                       (filter.c, ruleset.c, input.c)
 *   3. Landlock: probe the ABI, cut the ruleset to it ('compat'), build the ruleset: one
 *      landlock_add_rule per path (missing: fatal unless optional) and port (landlock.c),
 *      after --contain's namespaces and mounts, so that paths name what the program sees
 *   4. resolve PROG in PATH                             (exec.c)
 *      trace mode: fork; the child waits to be seized by the supervisor (trace.c)
 *      notify mode: fork; the child reports its pid and listener fd number (notify.c)
 *   5. close every fd but 0, 1, 2, --keep-fd ones and the Landlock ruleset's (fds.c)
 *   6. no_new_privs, landlock_restrict_self, seccomp(), PR_GET_SECCOMP check
 *                                                       (seccomp.c, landlock.c)
 *   7. execve                                           (exec.c)
 * From seccomp() in step 6 on only write(2), prctl(2), execve(2) and _exit(2) run: no malloc, no
 * stdio (notify mode adds sendmsg(2) of the listener for the SCM_RIGHTS handoff, read(2) of the
 * go byte and close(2) of the listener and its socket).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "child.h"
#include "contain.h"
#include "die.h"
#include "exec.h"
#include "fds.h"
#include "filter.h"
#include "inject.h"
#include "landlock.h"
#include "notify.h"
#include "ruleset.h"
#include "seccomp.h"
#include "trace.h"
#include "watch.h"

#ifndef SYSCAGE_VERSION
#define SYSCAGE_VERSION "0.1.0"
#endif

/* What the command line asks for. */
struct launch_options {
    struct input_source filter;
    struct input_source landlock; /* the Landlock ruleset file, if given */
    unsigned int flags;
    int *keep_fds;
    size_t keep_count;
    struct trace_handshake trace; /* trace mode when report_path is set */
    struct notify_handshake notify; /* notify mode when report_path is set */
    struct contain_options contain; /* --contain and the namespaces and mounts it makes */
    bool die_with_parent; /* --die-with-parent: end the tree when the launcher's parent dies */
    unsigned int grace; /* --grace SECONDS: end the tree this long after a terminating signal */
    const char *report_pid_path; /* --report-pid PATH: the program's pid (contained plain mode) */
    bool probe_contain; /* --probe-contain */
    const char *cache_store; /* --cache-store REQUEST: store this run in the run cache (cache.h) */
    int option_end; /* argv index of '--' or PROG: argv[1] up to it are the options */
    char **argv; /* PROG and its arguments, NULL-terminated */
};

static void print_usage(void)
{
    fputs("Usage: " PROGRAM_NAME " (--filter FILE | --filter-fd N) [--landlock FILE | --landlock-fd N]\n"
          "                      [--flags LIST] [--keep-fd N]... -- PROG [ARG...]\n"
          "\n"
          "Installs a compiled seccomp filter (the raw struct sock_filter array that\n"
          "'syscage compile -o FILE' writes), and optionally a Landlock ruleset, and\n"
          "executes PROG under them.\n"
          "\n"
          "  --filter FILE    read the filter from FILE (a path such as /proc/PID/fd/N works)\n"
          "  --filter-fd N    read the filter from the inherited file descriptor N\n"
          "  --landlock FILE  read a Landlock ruleset (file-system, TCP port and scope rules, in\n"
          "                   the text form syscage writes) from FILE and enforce it on PROG\n"
          "  --landlock-fd N  read the Landlock ruleset from the inherited file descriptor N\n"
          "  --flags LIST     seccomp filter flags, comma-separated: " SECCOMP_FLAG_NAMES "\n"
          "  --keep-fd N      hand fd N on to PROG (repeatable); every other fd >= 3 is closed\n"
          "  --contain        run PROG in a new PID namespace (and mount namespace, with its own\n"
          "                   /proc) under a small init, so that the whole process tree ends with\n"
          "                   the run; without the privilege or user namespaces for it, a child\n"
          "                   subreaper does what it can (with a warning)\n"
          "  --contain-pid-only\n"
          "                   --contain without the mount namespace (PROG keeps the caller's /proc and\n"
          "                   mounts, as a supervisor making calls for it needs) and without a user namespace\n"
          "  --unshare LIST   with --contain, new namespaces too: " CONTAIN_NAMESPACE_NAMES " (net: only\n"
          "                   a loopback interface, which is brought up)\n"
          "  --read-only PATH with --contain: PATH, and every mount beneath it, read-only for PROG\n"
          "  --writable PATH  with --contain: PATH (beneath a --read-only one) as writable as it was\n"
          "  --die-with-parent\n"
          "                   end the whole tree when the launcher's parent dies\n"
          "  --grace SECONDS  with a tree to watch (--contain, trace, notify): SECONDS after the first\n"
          "                   SIGINT, SIGTERM, SIGHUP or SIGQUIT (or at a second SIGINT) kill the tree\n"
          "  --report-pid PATH\n"
          "                   with --contain: PROG's process writes its pid (as the launcher's caller\n"
          "                   numbers it) to PATH before it starts\n"
          "  --probe-contain  print what --contain can make here and exit\n"
          "  --trace-handshake REPORT,GO --tracer TID\n"
          "                   trace mode (used by 'syscage run'): fork PROG's process, report its pid\n"
          "                   on REPORT, let it go on once a byte arrives on GO and thread TID traces it\n"
          "  --notify-handshake REPORT,GO\n"
          "                   notify mode (used by 'syscage run'): fork PROG's process, which reports\n"
          "                   \"PID FD SOCK\" on REPORT, installs the filter with a listener once the\n"
          "                   supervisor says how it takes it ('p': pidfd_getfd, 's': SCM_RIGHTS) and\n"
          "                   execs once 'g' arrives on GO (the supervisor holds the listener)\n"
          "  --notify-socket PATH\n"
          "                   with --notify-handshake: connect to the supervisor's AF_UNIX socket PATH and\n"
          "                   send it the listener (SCM_RIGHTS) if it asks for that on GO\n"
          "  --notify-interruptible\n"
          "                   with --notify-handshake: install the filter without WAIT_KILLABLE_RECV, so a\n"
          "                   signal interrupts a call whose decision is pending (it is then restarted)\n"
          "  --help           show this help and exit\n"
          "  --version        show the version and exit\n"
          "\n"
          "PROG is looked up in PATH when it has no '/' (default " DEFAULT_PATH ").\n"
          "\n"
          "Exit status:\n"
          "  125  the launcher failed before exec (usage, filter, prctl or seccomp): PROG never ran\n"
          "  126  PROG was found but cannot be executed, or execve failed (the policy may deny it)\n"
          "  127  PROG was not found\n"
          "  otherwise the status of PROG itself\n"
          "\n"
          "Testing aid: " INJECT_ENV "=CALL:ERRNO (CALL: no_new_privs, seccomp, get_seccomp,\n"
          "landlock_restrict, unshare) makes that call fail with ERRNO; it can only make the launcher fail.\n"
          "landlock_abi:N lowers the Landlock ABI the launcher sees to N (0: none); under\n"
          "'compat best-effort' that drops rights, with a warning.\n",
          stdout);
}

/* "syscage-launch: MESSAGE" and a pointer to --help; status 125. */
static noreturn __attribute__((format(printf, 1, 2))) void usage_error(const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    die(STATUS_LAUNCH_FAILED, "%s\nTry '" PROGRAM_NAME " --help'.", message);
}

static int parse_fd(const char *option, const char *text)
{
    char *end;
    errno = 0;
    long n = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || errno != 0 || n < 0 || n > INT_MAX) {
        usage_error("%s: '%s' is not a file descriptor number", option, text);
    }
    return (int)n;
}

/*
 * The value of an option at argv[*i]: "--name=VALUE" or "--name VALUE". Returns NULL when
 * argv[*i] is not this option.
 */
static const char *option_value(char **argv, int argc, int *i, const char *name)
{
    size_t n = strlen(name);
    const char *arg = argv[*i];
    if (strncmp(arg, name, n) != 0) {
        return NULL;
    }
    if (arg[n] == '=') {
        return arg + n + 1;
    }
    if (arg[n] != '\0') {
        return NULL;
    }
    if (*i + 1 >= argc) {
        usage_error("%s needs a value", name);
    }
    return argv[++*i];
}

static const char *absolute_path(const char *option, const char *path)
{
    if (path[0] != '/') {
        usage_error("%s: '%s' is not an absolute path", option, path);
    }
    return path;
}

static void set_filter_source(struct launch_options *opts, const char *path, int fd)
{
    if (input_given(&opts->filter)) {
        usage_error("give exactly one of --filter FILE and --filter-fd N");
    }
    opts->filter.path = path;
    opts->filter.fd = fd;
}

static void set_landlock_source(struct launch_options *opts, const char *path, int fd)
{
    if (input_given(&opts->landlock)) {
        usage_error("give at most one of --landlock FILE and --landlock-fd N");
    }
    opts->landlock.path = path;
    opts->landlock.fd = fd;
}

static void add_flags(struct launch_options *opts, const char *list)
{
    const char *bad;
    if (!seccomp_parse_flags(list, &opts->flags, &bad)) {
        usage_error("--flags: unknown flag '%s' (known: " SECCOMP_FLAG_NAMES ")", bad);
    }
}

/*
 * --trace-handshake / --notify-handshake REPORT,GO: two paths, usually /proc/JVM_PID/fd/N of the
 * supervisor's pipes.
 */
static void set_handshake(const char *option, const char *value, const char **report, const char **go)
{
    const char *comma = strchr(value, ',');
    if (comma == NULL || comma == value || comma[1] == '\0') {
        usage_error("%s: expected REPORT_PATH,GO_PATH, got '%s'", option, value);
    }
    *report = strndup(value, (size_t)(comma - value));
    *go = comma + 1;
}

/* Handles one option at argv[*i]; returns false when argv[*i] is not an option. */
static bool parse_option(struct launch_options *opts, int argc, char **argv, int *i)
{
    const char *v;
    if (strcmp(argv[*i], "--help") == 0 || strcmp(argv[*i], "-h") == 0) {
        print_usage();
        exit(0);
    } else if (strcmp(argv[*i], "--version") == 0) {
        puts(PROGRAM_NAME " " SYSCAGE_VERSION);
        exit(0);
    } else if ((v = option_value(argv, argc, i, "--filter")) != NULL) {
        set_filter_source(opts, v, -1);
    } else if ((v = option_value(argv, argc, i, "--filter-fd")) != NULL) {
        set_filter_source(opts, NULL, parse_fd("--filter-fd", v));
    } else if ((v = option_value(argv, argc, i, "--landlock")) != NULL) {
        set_landlock_source(opts, v, -1);
    } else if ((v = option_value(argv, argc, i, "--landlock-fd")) != NULL) {
        set_landlock_source(opts, NULL, parse_fd("--landlock-fd", v));
    } else if ((v = option_value(argv, argc, i, "--flags")) != NULL) {
        add_flags(opts, v);
    } else if ((v = option_value(argv, argc, i, "--keep-fd")) != NULL) {
        opts->keep_fds[opts->keep_count++] = parse_fd("--keep-fd", v);
    } else if ((v = option_value(argv, argc, i, "--trace-handshake")) != NULL) {
        set_handshake("--trace-handshake", v, &opts->trace.report_path, &opts->trace.go_path);
    } else if ((v = option_value(argv, argc, i, "--notify-handshake")) != NULL) {
        set_handshake("--notify-handshake", v, &opts->notify.report_path, &opts->notify.go_path);
    } else if ((v = option_value(argv, argc, i, "--notify-socket")) != NULL) {
        opts->notify.socket_path = v;
    } else if (strcmp(argv[*i], "--notify-interruptible") == 0) {
        opts->notify.interruptible = true;
    } else if (strcmp(argv[*i], "--contain") == 0) {
        opts->contain.enabled = true;
    } else if (strcmp(argv[*i], "--contain-pid-only") == 0) {
        opts->contain.enabled = true;
        opts->contain.pid_only = true;
    } else if ((v = option_value(argv, argc, i, "--unshare")) != NULL) {
        const char *bad;
        if (!contain_parse_namespaces(v, &opts->contain.namespaces, &bad)) {
            usage_error("--unshare: unknown namespace '%s' (known: " CONTAIN_NAMESPACE_NAMES ")", bad);
        }
    } else if ((v = option_value(argv, argc, i, "--read-only")) != NULL) {
        opts->contain.mounts[opts->contain.mount_count++] = (struct contain_mount){absolute_path("--read-only", v), false};
    } else if ((v = option_value(argv, argc, i, "--writable")) != NULL) {
        opts->contain.mounts[opts->contain.mount_count++] = (struct contain_mount){absolute_path("--writable", v), true};
    } else if (strcmp(argv[*i], "--die-with-parent") == 0) {
        opts->die_with_parent = true;
    } else if ((v = option_value(argv, argc, i, "--grace")) != NULL) {
        opts->grace = (unsigned int)parse_fd("--grace", v);
    } else if ((v = option_value(argv, argc, i, "--report-pid")) != NULL) {
        opts->report_pid_path = v;
    } else if ((v = option_value(argv, argc, i, "--cache-store")) != NULL) {
        opts->cache_store = v;
    } else if (strcmp(argv[*i], "--probe-contain") == 0) {
        opts->probe_contain = true;
    } else if ((v = option_value(argv, argc, i, "--tracer")) != NULL) {
        opts->trace.tracer_tid = parse_fd("--tracer", v);
    } else if (argv[*i][0] == '-') {
        usage_error("unknown option '%s'", argv[*i]);
    } else {
        return false;
    }
    return true;
}

static void check_contain_options(const struct launch_options *opts)
{
    const struct contain_options *c = &opts->contain;
    if (!c->enabled && (c->namespaces != 0 || c->mount_count > 0)) {
        usage_error("--unshare, --read-only and --writable need --contain");
    }
    if (c->pid_only && c->mount_count > 0) {
        usage_error("--read-only and --writable need a mount namespace, which --contain-pid-only does not make");
    }
    if (opts->report_pid_path != NULL && (!c->enabled || opts->trace.report_path != NULL || opts->notify.report_path != NULL)) {
        usage_error("--report-pid goes with --contain, without a trace or notify handshake (which report the pid)");
    }
    if (opts->grace > 0 && !c->enabled && opts->trace.report_path == NULL && opts->notify.report_path == NULL) {
        usage_error("--grace needs a tree to watch: --contain, or trace or notify mode");
    }
    for (size_t i = 0; i < c->mount_count; i++) {
        if (!c->mounts[i].writable) {
            continue;
        }
        bool beneath = false; /* a read-only path given before it, that it is beneath */
        for (size_t j = 0; j < i && !beneath; j++) {
            const char *ro = c->mounts[j].path;
            size_t n = strlen(ro);
            beneath = !c->mounts[j].writable && (strcmp(ro, "/") == 0
                || (strncmp(c->mounts[i].path, ro, n) == 0 && (c->mounts[i].path[n] == '/' || c->mounts[i].path[n] == '\0')));
        }
        if (!beneath) {
            usage_error("--writable %s: not beneath a --read-only path given before it (it is writable already)",
                        c->mounts[i].path);
        }
    }
}

static void check_options(const struct launch_options *opts)
{
    if (opts->probe_contain) {
        return;
    }
    check_contain_options(opts);
    if (!input_given(&opts->filter)) {
        usage_error("no filter: give --filter FILE or --filter-fd N");
    }
    if (opts->argv == NULL || opts->argv[0] == NULL) {
        usage_error("no program: give it after '--'");
    }
    if ((opts->trace.report_path != NULL) != (opts->trace.tracer_tid > 0)) {
        usage_error("--trace-handshake and --tracer go together (trace mode, started by syscage run)");
    }
    if (opts->notify.report_path != NULL && opts->trace.report_path != NULL) {
        usage_error("--trace-handshake and --notify-handshake exclude each other");
    }
    if (opts->notify.interruptible && opts->notify.report_path == NULL) {
        usage_error("--notify-interruptible needs --notify-handshake (notify mode, started by syscage run)");
    }
    if (opts->notify.socket_path != NULL && opts->notify.report_path == NULL) {
        usage_error("--notify-socket needs --notify-handshake (notify mode, started by syscage run)");
    }
    if (opts->notify.report_path != NULL && (opts->flags & SECCOMP_FILTER_FLAG_TSYNC) != 0) {
        usage_error("--flags tsync cannot be combined with --notify-handshake (the kernel refuses a listener with tsync)");
    }
    if (opts->landlock.fd >= 0 && opts->landlock.fd == opts->filter.fd) {
        usage_error("--filter-fd and --landlock-fd are both %d: each is read to end of file and closed",
                    opts->filter.fd);
    }
    for (size_t k = 0; k < opts->keep_count; k++) {
        if (opts->keep_fds[k] == opts->filter.fd) {
            usage_error("--keep-fd %d: that is the filter fd, which the launcher reads and closes", opts->filter.fd);
        }
        if (opts->keep_fds[k] == opts->landlock.fd) {
            usage_error("--keep-fd %d: that is the Landlock ruleset fd, which the launcher reads and closes",
                        opts->landlock.fd);
        }
    }
}

static void parse_args(int argc, char **argv, struct launch_options *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->filter.fd = -1;
    opts->landlock.fd = -1;
    opts->keep_fds = calloc((size_t)argc + 3, sizeof(*opts->keep_fds)); /* + notify's 2 */
    opts->contain.mounts = calloc((size_t)argc + 1, sizeof(*opts->contain.mounts));
    if (opts->keep_fds == NULL || opts->contain.mounts == NULL) {
        die_errno(STATUS_LAUNCH_FAILED, ENOMEM, "calloc", NULL);
    }
    int i = argc > 0 ? 1 : 0; /* argc is 0 when started with an empty argv */
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            opts->option_end = i++;
            break;
        }
        if (!parse_option(opts, argc, argv, &i)) {
            break; /* the first non-option is PROG */
        }
        opts->option_end = i + 1;
    }
    opts->argv = argv + i;
    check_options(opts);
}

/*
 * Step 6 up to seccomp(), the same in every mode and as late as possible: no_new_privs, which
 * Landlock needs, then the Landlock domain, before the filter (which may deny its calls).
 */
static void restrict_before_filter(struct landlock_domain *domain, const struct inject *inject)
{
    seccomp_no_new_privs(inject);
    landlock_apply(domain, inject);
}

/* Notify mode's steps 4-7 (see notify.h): only the forked child gets this far. */
static noreturn void run_notified(struct launch_options *opts, const struct filter *filter,
                                  struct landlock_domain *domain, const struct inject *inject, const char *path,
                                  const struct handshake_fds *handshake, const struct watch_plan *plan)
{
    struct handshake_fds fds = *handshake;
    notify_fork(&fds, plan); /* returns in the child only */
    opts->keep_fds[opts->keep_count++] = fds.report_fd;
    opts->keep_fds[opts->keep_count++] = fds.go_fd;
    fds_close_except(opts->keep_fds, opts->keep_count, domain->ruleset_fd);
    struct notify_handoff handoff;
    notify_prepare(&opts->notify, &fds, domain->ruleset_fd, &handoff);
    restrict_before_filter(domain, inject);
    int listener = seccomp_install_listener(filter, opts->flags, opts->notify.interruptible, inject);
    notify_hand_over(&fds, &handoff, listener);
    exec_program(path, opts->argv);
}

/* Contained plain mode: fork the program's process and watch it; returns in that process. */
static void fork_program(int report_pid_fd, const struct watch_plan *plan)
{
    watch_fork(plan, -1, -1); /* returns in the program's process only */
    if (report_pid_fd >= 0) {
        char line[32];
        int n = snprintf(line, sizeof(line), "%d\n", (int)contain_outer_pid());
        if (write(report_pid_fd, line, (size_t)n) != n) {
            die_errno(STATUS_LAUNCH_FAILED, errno, "write(--report-pid)", NULL);
        }
        close(report_pid_fd);
    }
}

/*
 * The watching before the program: --contain's namespaces and init, the supervisor's pidfd.
 * Returns how the process the caller forks next (if any) is to be watched.
 */
static struct watch_plan contain_and_watch(const struct launch_options *opts, const struct inject *inject)
{
    struct watch_plan plan = {.parent_pidfd = -1, .grace = opts->grace, .outermost = true};
    /* notify mode always watches the JVM: nobody else would answer the program's notifications */
    if (opts->die_with_parent || opts->notify.report_path != NULL) {
        plan.parent_pidfd = watch_open_parent();
    }
    if (opts->contain.enabled && contain_enter(&opts->contain, inject, &plan) == CONTAIN_INIT) {
        plan = (struct watch_plan){.parent_pidfd = -1, .grace = 0, .outermost = false}; /* the keeper does it */
    }
    return plan;
}

/* --cache-store: the run's filter, ruleset and options into the run cache; never fatal. */
static void store_in_cache(const struct launch_options *opts, const struct filter *filter, char **argv)
{
    size_t landlock_len = 0;
    unsigned char *landlock = NULL;
    if (opts->landlock.path != NULL) { /* read once more: the ruleset as given, not as parsed */
        landlock = input_read(&opts->landlock, 1u << 20, &landlock_len);
    } else if (input_given(&opts->landlock)) {
        return; /* an fd, read already: 'syscage run' gives a path */
    }
    cache_store(opts->cache_store, (const unsigned char *)filter->insns, (size_t)filter->len * sizeof(*filter->insns),
                landlock, landlock_len, argv + 1, opts->option_end - 1);
    free(landlock);
}

static noreturn void launch(int argc, char **argv)
{
    struct launch_options opts;
    struct inject inject;
    struct filter filter;
    struct ruleset ruleset;
    struct landlock_domain domain;

    cache_take_env();
    parse_args(argc, argv, &opts);
    if (opts.probe_contain) {
        contain_probe();
    }
    inject_from_env(&inject);
    filter_load(&opts.filter, &filter);
    if (input_given(&opts.landlock)) {
        ruleset_load(&opts.landlock, &ruleset);
    }
    if (opts.cache_store != NULL) {
        store_in_cache(&opts, &filter, argv);
    }
    const char *path = exec_resolve(opts.argv[0]);
    /* paths such as /proc/JVM/fd/N are opened before --contain's /proc hides them */
    struct handshake_fds handshake = {-1, -1};
    if (opts.trace.report_path != NULL) {
        child_open_handshake(opts.trace.report_path, opts.trace.go_path, &handshake);
    } else if (opts.notify.report_path != NULL) {
        child_open_handshake(opts.notify.report_path, opts.notify.go_path, &handshake);
    }
    int report_pid_fd = -1;
    if (opts.report_pid_path != NULL && (report_pid_fd = open(opts.report_pid_path, O_WRONLY | O_CLOEXEC)) < 0) {
        die(STATUS_LAUNCH_FAILED, "--report-pid: open(%s): %s", opts.report_pid_path, errno_text(errno));
    }
    struct watch_plan plan = contain_and_watch(&opts, &inject);
    /* after --contain's mounts: a rule for /proc/... names the /proc the program will see */
    landlock_build(input_given(&opts.landlock) ? &ruleset : NULL, &inject, &domain);
    if (opts.trace.report_path != NULL) {
        trace_fork_and_wait_for_tracer(&opts.trace, &handshake, &plan); /* returns in the traced child only */
    } else if (opts.notify.report_path != NULL) {
        run_notified(&opts, &filter, &domain, &inject, path, &handshake, &plan); /* returns in no process */
    } else if (opts.contain.enabled) {
        fork_program(report_pid_fd, &plan); /* returns in the program's process only */
    }
    fds_close_except(opts.keep_fds, opts.keep_count, domain.ruleset_fd);
    child_clear_signal_mask();
    restrict_before_filter(&domain, &inject);
    /* Only the install and execve from here on: see the comment at the top. */
    seccomp_install(&filter, opts.flags, &inject);
    exec_program(path, opts.argv);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--cached-run") == 0) {
        cache_front(argc, argv, &argc, &argv); /* returns on a hit only, with the stored plan's argv */
    }
    launch(argc, argv);
}
