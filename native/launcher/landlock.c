/* Negotiates the Landlock ruleset with the kernel, builds it and enforces it (see landlock.h). */
#include "landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "die.h"
#include "landlock_uapi.h"

/* The newest ABI this launcher knows; a newer kernel is used as this one. */
#define ABI_NEWEST 7

#define VERSION_CALL "landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)"

/* The rights a rule on a file (not a directory) may grant; the kernel refuses the others there. */
#define FILE_RIGHTS                                                                                  \
    (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE       \
     | LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

/* The first Linux release with each ABI, for messages. */
static const char *const ABI_LINUX[ABI_NEWEST + 1] = {"-", "5.13", "5.19", "6.2", "6.7", "6.10", "6.12", "6.15"};

/*
 * What ABI abi can enforce: 1 the file-system rights execute .. make_sym, 2 + refer, 3 + truncate,
 * 4 TCP bind/connect, 5 + ioctl_dev, 6 scopes, 7 logging flags (nothing new to handle).
 */
static struct landlock_ruleset_attr abi_masks(int abi)
{
    struct landlock_ruleset_attr m = {0, 0, 0};
    if (abi >= 1) {
        m.handled_access_fs = (1ULL << 13) - 1;
    }
    if (abi >= 2) {
        m.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
    }
    if (abi >= 3) {
        m.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
    }
    if (abi >= 4) {
        m.handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP;
    }
    if (abi >= 5) {
        m.handled_access_fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
    }
    if (abi >= 6) {
        m.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
    }
    return m;
}

/* How many bytes of struct landlock_ruleset_attr an ABI knows: the kernel takes a shorter one. */
static size_t attr_size(int abi)
{
    if (abi >= 6) {
        return sizeof(struct landlock_ruleset_attr);
    }
    return abi >= 4 ? 2 * sizeof(__u64) : sizeof(__u64);
}

/* The first ABI that has every bit of a. */
static int abi_needed(const struct landlock_ruleset_attr *a)
{
    for (int abi = 1; abi < ABI_NEWEST; abi++) {
        struct landlock_ruleset_attr m = abi_masks(abi);
        if ((a->handled_access_fs & ~m.handled_access_fs) == 0 && (a->handled_access_net & ~m.handled_access_net) == 0
            && (a->scoped & ~m.scoped) == 0) {
            return abi;
        }
    }
    return ABI_NEWEST;
}

/*
 * The kernel's Landlock ABI, lowered to an injected landlock_abi and capped at ABI_NEWEST; 0 with
 * *err (ENOSYS: not built in, EOPNOTSUPP: disabled at boot) when there is no Landlock.
 */
static int probe_abi(const struct inject *inject, int *err)
{
    long abi = landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 0) {
        if (errno != ENOSYS && errno != EOPNOTSUPP) {
            die_errno(STATUS_LAUNCH_FAILED, errno, VERSION_CALL, NULL);
        }
        *err = errno;
        abi = 0;
    }
    int injected;
    if (inject_get(inject, INJECT_LANDLOCK_ABI, &injected) && injected < abi) {
        abi = injected;
        *err = EOPNOTSUPP; /* landlock_abi:0 plays a kernel with Landlock disabled at boot */
    }
    return abi > ABI_NEWEST ? ABI_NEWEST : (int)abi;
}

/* No Landlock at all: 'required' dies, 'best-effort' warns and goes on without a domain. */
static void without_landlock(const struct ruleset *ruleset, const struct landlock_ruleset_attr *asked, int err)
{
    if (ruleset->best_effort) {
        warning("Landlock is not available: file-system, network and scope rules are NOT enforced "
             "(landlock_create_ruleset: %s)", errno_text(err));
        return;
    }
    int needed = abi_needed(asked);
    char hint[512];
    snprintf(hint, sizeof(hint),
             "%s; the ruleset needs ABI %d (Linux %s) and says 'compat required', so the program is not run",
             err == ENOSYS ? "this kernel has no Landlock: it needs Linux 5.13 or later built with "
                             "CONFIG_SECURITY_LANDLOCK=y, and landlock in the lsm= list on the kernel command line"
                           : "Landlock is built in but not enabled: add landlock to the lsm= list on the kernel "
                             "command line (or to CONFIG_LSM)",
             needed, ABI_LINUX[needed]);
    die_errno(STATUS_LAUNCH_FAILED, err, VERSION_CALL, hint);
}

/* Some rights or scopes are newer than the kernel: 'required' dies, 'best-effort' warns. */
static void cut_to_abi(const struct ruleset *ruleset, const struct landlock_ruleset_attr *dropped, int abi)
{
    char names[512] = "";
    ruleset_describe(names, sizeof(names), RULESET_FS, dropped->handled_access_fs, true);
    ruleset_describe(names, sizeof(names), RULESET_NET, dropped->handled_access_net, true);
    ruleset_describe(names, sizeof(names), RULESET_SCOPE, dropped->scoped, true);
    int needed = abi_needed(dropped);
    if (ruleset->best_effort) {
        warning("this kernel has Landlock ABI %d, and the ruleset needs ABI %d (Linux %s) for %s: "
                "they are NOT enforced", abi, needed, ABI_LINUX[needed], names);
        return;
    }
    die(STATUS_LAUNCH_FAILED,
        "this kernel has Landlock ABI %d, and the ruleset needs ABI %d (Linux %s) for %s; it says 'compat required', "
        "so the program is not run",
        abi, needed, ABI_LINUX[needed], names);
}

/*
 * What of the ruleset the kernel can enforce: the handled sets cut to the ABI (the rules are cut
 * as they are added). Dies or warns, as 'compat' says, when that drops anything.
 */
static struct landlock_ruleset_attr negotiate(const struct ruleset *ruleset, const struct inject *inject, int *abi)
{
    int err = 0;
    *abi = probe_abi(inject, &err);
    struct landlock_ruleset_attr asked = {ruleset->handled_fs, ruleset->handled_net, ruleset->scoped};
    struct landlock_ruleset_attr m = abi_masks(*abi);
    struct landlock_ruleset_attr kept = {asked.handled_access_fs & m.handled_access_fs,
                                         asked.handled_access_net & m.handled_access_net, asked.scoped & m.scoped};
    struct landlock_ruleset_attr dropped = {asked.handled_access_fs & ~kept.handled_access_fs,
                                            asked.handled_access_net & ~kept.handled_access_net,
                                            asked.scoped & ~kept.scoped};
    if (*abi == 0) {
        without_landlock(ruleset, &asked, err);
    } else if (dropped.handled_access_fs != 0 || dropped.handled_access_net != 0 || dropped.scoped != 0) {
        cut_to_abi(ruleset, &dropped, *abi);
    }
    return kept;
}

/* "FILE: line N: CALL(PATH)", for messages about a rule. */
static const char *rule_call(const struct ruleset *ruleset, unsigned line, const char *call, const char *arg,
                             char *buf, size_t size)
{
    snprintf(buf, size, "%s: line %u: %s(%s)", ruleset->name, line, call, arg);
    return buf;
}

/* One path rule, cut to what the ruleset handles and, on a file, to the file rights. */
static void add_path(const struct ruleset *ruleset, const struct ruleset_path *rule, int ruleset_fd,
                     uint64_t handled)
{
    char call[1024];
    uint64_t access = rule->access & handled;
    if (access == 0) {
        return; /* every right it grants was dropped with 'best-effort' */
    }
    int fd = open(rule->path, O_PATH | O_CLOEXEC);
    if (fd < 0) {
        bool missing = errno == ENOENT || errno == ENOTDIR;
        if (missing && rule->optional) {
            return;
        }
        die_errno(STATUS_LAUNCH_FAILED, errno, rule_call(ruleset, rule->line, "open", rule->path, call, sizeof(call)),
                  missing ? "a Landlock path rule needs its path to exist; the policy can mark it optional" : NULL);
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, rule_call(ruleset, rule->line, "fstat", rule->path, call, sizeof(call)),
                  NULL);
    }
    if (!S_ISDIR(st.st_mode)) {
        access &= FILE_RIGHTS; /* the kernel refuses directory rights on a file */
    }
    struct landlock_path_beneath_attr attr = {.allowed_access = access, .parent_fd = fd};
    if (access != 0 && landlock_add_rule(ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, &attr, 0) != 0) {
        char arg[512];
        snprintf(arg, sizeof(arg), "LANDLOCK_RULE_PATH_BENEATH, %s", rule->path);
        rule_call(ruleset, rule->line, "landlock_add_rule", arg, call, sizeof(call));
        die_errno(STATUS_LAUNCH_FAILED, errno, call, NULL);
    }
    close(fd);
}

static void add_port(const struct ruleset *ruleset, const struct ruleset_port *rule, int ruleset_fd,
                     uint64_t handled)
{
    struct landlock_net_port_attr attr = {.allowed_access = rule->access & handled, .port = rule->port};
    if (attr.allowed_access != 0 && landlock_add_rule(ruleset_fd, LANDLOCK_RULE_NET_PORT, &attr, 0) != 0) {
        char call[1024], arg[64];
        snprintf(arg, sizeof(arg), "LANDLOCK_RULE_NET_PORT, %u", (unsigned)rule->port);
        rule_call(ruleset, rule->line, "landlock_add_rule", arg, call, sizeof(call));
        die_errno(STATUS_LAUNCH_FAILED, errno, call, NULL);
    }
}

void landlock_build(const struct ruleset *ruleset, const struct inject *inject, struct landlock_domain *out)
{
    out->ruleset_fd = -1;
    out->restrict_flags = 0;
    if (ruleset == NULL || ruleset_is_empty(ruleset)) {
        return;
    }
    int abi;
    struct landlock_ruleset_attr attr = negotiate(ruleset, inject, &abi);
    if (attr.handled_access_fs == 0 && attr.handled_access_net == 0 && attr.scoped == 0) {
        return; /* 'best-effort' dropped it all */
    }
    int fd = (int)landlock_create_ruleset(&attr, attr_size(abi), 0);
    if (fd < 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "landlock_create_ruleset", NULL);
    }
    for (size_t i = 0; i < ruleset->path_count; i++) {
        add_path(ruleset, &ruleset->paths[i], fd, attr.handled_access_fs);
    }
    for (size_t i = 0; i < ruleset->port_count; i++) {
        add_port(ruleset, &ruleset->ports[i], fd, attr.handled_access_net);
    }
    out->ruleset_fd = fd;
    out->restrict_flags = abi >= 7 ? LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON : 0;
}

static const char *restrict_hint(int err)
{
    switch (err) {
    case EPERM:
        return "Landlock needs no_new_privs or CAP_SYS_ADMIN, and PR_SET_NO_NEW_PRIVS did not take effect";
    case E2BIG:
        return "this process is already in 16 nested Landlock domains, the kernel's limit";
    default:
        return NULL;
    }
}

void landlock_apply(struct landlock_domain *domain, const struct inject *inject)
{
    if (domain->ruleset_fd < 0) {
        return;
    }
    int err;
    if (!inject_get(inject, INJECT_LANDLOCK_RESTRICT, &err)) {
        if (landlock_restrict_self(domain->ruleset_fd, domain->restrict_flags) == 0) {
            close(domain->ruleset_fd);
            domain->ruleset_fd = -1;
            return;
        }
        err = errno;
    }
    die_errno(STATUS_LAUNCH_FAILED, err, "landlock_restrict_self", restrict_hint(err));
}
