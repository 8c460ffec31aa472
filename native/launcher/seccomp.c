/* Installs the filter and checks it is in force (see seccomp.h). */
#include "seccomp.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "die.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* The mode PR_GET_SECCOMP reports for a process under a filter. */
#define SECCOMP_MODE_FILTER_VALUE 2

struct flag_name {
    const char *name;
    unsigned int value;
};

static const struct flag_name FLAGS[] = {
    {"tsync", SECCOMP_FILTER_FLAG_TSYNC},
    {"log", SECCOMP_FILTER_FLAG_LOG},
    {"spec_allow", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
};

bool seccomp_parse_flags(const char *list, unsigned int *flags, const char **bad)
{
    static char name[64];
    const char *p = list;
    for (;;) {
        size_t n = strcspn(p, ",");
        bool found = false;
        for (size_t i = 0; i < sizeof(FLAGS) / sizeof(FLAGS[0]); i++) {
            if (strlen(FLAGS[i].name) == n && strncmp(p, FLAGS[i].name, n) == 0) {
                *flags |= FLAGS[i].value;
                found = true;
            }
        }
        if (!found) {
            snprintf(name, sizeof(name), "%.*s", (int)n, p);
            *bad = name;
            return false;
        }
        if (p[n] == '\0') {
            return true;
        }
        p += n + 1;
    }
}

static const char *seccomp_hint(int err)
{
    switch (err) {
    case EINVAL:
        return "this requires a kernel with CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER, or a flag this kernel "
               "does not know; a malformed program fails with EINVAL too: check it with syscage disasm --bpf FILE";
    case ENOSYS:
        return "this kernel has no seccomp() system call (Linux 3.17 or later has it)";
    case EACCES:
        return "a filter needs no_new_privs or CAP_SYS_ADMIN, and PR_SET_NO_NEW_PRIVS did not take effect";
    case ENOMEM:
        return "out of memory, or the filters on this process together exceed the kernel's limit of 32768 "
               "instructions";
    case EFAULT:
        return "the kernel could not read the filter program; this is a bug in syscage-launch";
    default:
        return NULL;
    }
}

void seccomp_no_new_privs(const struct inject *inject)
{
    int err;
    if (!inject_get(inject, INJECT_NO_NEW_PRIVS, &err)) {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0) {
            return;
        }
        err = errno;
    }
    die_errno(STATUS_LAUNCH_FAILED, err, "prctl(PR_SET_NO_NEW_PRIVS)",
              err == EINVAL ? "this requires Linux 3.5 or later" : NULL);
}

/* seccomp(SECCOMP_SET_MODE_FILTER) with the given flags; its result (>= 0), or -1 with errno. */
static long try_set_filter(const struct filter *filter, unsigned int flags, const struct inject *inject)
{
    struct sock_fprog prog = {.len = filter->len, .filter = filter->insns};
    int err;
    if (inject_get(inject, INJECT_SECCOMP, &err)) {
        errno = err;
        return -1;
    }
    return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

static noreturn void set_filter_failed(int err)
{
    die_errno(STATUS_LAUNCH_FAILED, err, "seccomp(SECCOMP_SET_MODE_FILTER)", seccomp_hint(err));
}

static void set_filter(const struct filter *filter, unsigned int flags, const struct inject *inject)
{
    long rc = try_set_filter(filter, flags, inject);
    if (rc == 0) {
        return;
    }
    if (rc > 0) {
        /* TSYNC: another thread could not be synchronized (the launcher has none). */
        die(STATUS_LAUNCH_FAILED, "seccomp(SECCOMP_SET_MODE_FILTER): thread %ld could not be synchronized", rc);
    }
    set_filter_failed(errno);
}

/*
 * Runs under the new filter: write(2) and _exit(2) only. prctl may itself be denied by the
 * policy; -1 with any errno but EINVAL then shows the filter is evidently in force.
 */
static void verify_in_force(const struct inject *inject)
{
    int rc = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
    int err = errno;
    int injected;
    if ((rc == SECCOMP_MODE_FILTER_VALUE || (rc == -1 && err != EINVAL))
        && inject_get(inject, INJECT_GET_SECCOMP, &injected)) {
        rc = injected == 0 ? 0 : -1;
        err = injected;
    }
    if (rc == SECCOMP_MODE_FILTER_VALUE || (rc == -1 && err != EINVAL)) {
        return;
    }
    if (rc == -1) {
        die_errno(STATUS_LAUNCH_FAILED, err, "prctl(PR_GET_SECCOMP)",
                  "seccomp() succeeded, yet the kernel reports no filter, so the program was not run; "
                  "a policy that makes prctl fail with EINVAL ends here too");
    }
    die_parts(STATUS_LAUNCH_FAILED, "prctl(PR_GET_SECCOMP) reports mode ", rc == 0 ? "0" : "other than 2",
              " after seccomp() succeeded: the filter is not in force; refusing to run the program. "
              "(Hint: a policy that makes prctl return 0, such as 'errno 0', also ends here.)",
              NULL);
}

void seccomp_install(const struct filter *filter, unsigned int flags, const struct inject *inject)
{
    set_filter(filter, flags, inject);
    verify_in_force(inject);
}

int seccomp_install_listener(const struct filter *filter, unsigned int flags, bool interruptible,
                             const struct inject *inject)
{
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    long fd = -1;
    errno = EINVAL;
    if (!interruptible) {
        fd = try_set_filter(filter, flags | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, inject);
    }
    if (fd < 0 && errno == EINVAL) {
        fd = try_set_filter(filter, flags, inject); /* before Linux 5.19: no WAIT_KILLABLE_RECV */
    }
    if (fd < 0) {
        set_filter_failed(errno);
    }
    verify_in_force(inject);
    return (int)fd;
}
