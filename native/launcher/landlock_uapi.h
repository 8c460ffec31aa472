/*
 * The kernel's Landlock interface (include/uapi/linux/landlock.h, up to ABI 7), written out here
 * because the installed <linux/landlock.h> may be older than the kernel the launcher runs on
 * (an ABI 2-era header lacks the network rules, ioctl_dev and scopes). Do not include
 * <linux/landlock.h> beside this file.
 */
#ifndef SYSCAGE_LANDLOCK_UAPI_H
#define SYSCAGE_LANDLOCK_UAPI_H

#ifdef LANDLOCK_CREATE_RULESET_VERSION
#error "landlock_uapi.h replaces <linux/landlock.h>; include only one of them"
#endif

#include <linux/types.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * The ruleset's attributes. The kernel reads as many bytes as it is given: 8 (handled_access_fs,
 * ABI 1-3), 16 (+ handled_access_net, ABI 4-5) or 24 (+ scoped, ABI 6+).
 */
struct landlock_ruleset_attr {
    __u64 handled_access_fs;
    __u64 handled_access_net;
    __u64 scoped;
};

#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)

enum landlock_rule_type {
    LANDLOCK_RULE_PATH_BENEATH = 1,
    LANDLOCK_RULE_NET_PORT = 2, /* ABI 4 */
};

struct landlock_path_beneath_attr {
    __u64 allowed_access;
    __s32 parent_fd;
} __attribute__((packed));

struct landlock_net_port_attr {
    __u64 allowed_access;
    __u64 port;
};

/* File-system rights. */
#define LANDLOCK_ACCESS_FS_EXECUTE (1ULL << 0)
#define LANDLOCK_ACCESS_FS_WRITE_FILE (1ULL << 1)
#define LANDLOCK_ACCESS_FS_READ_FILE (1ULL << 2)
#define LANDLOCK_ACCESS_FS_READ_DIR (1ULL << 3)
#define LANDLOCK_ACCESS_FS_REMOVE_DIR (1ULL << 4)
#define LANDLOCK_ACCESS_FS_REMOVE_FILE (1ULL << 5)
#define LANDLOCK_ACCESS_FS_MAKE_CHAR (1ULL << 6)
#define LANDLOCK_ACCESS_FS_MAKE_DIR (1ULL << 7)
#define LANDLOCK_ACCESS_FS_MAKE_REG (1ULL << 8)
#define LANDLOCK_ACCESS_FS_MAKE_SOCK (1ULL << 9)
#define LANDLOCK_ACCESS_FS_MAKE_FIFO (1ULL << 10)
#define LANDLOCK_ACCESS_FS_MAKE_BLOCK (1ULL << 11)
#define LANDLOCK_ACCESS_FS_MAKE_SYM (1ULL << 12)
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13) /* ABI 2 */
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */

/* Network rights (ABI 4). */
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)

/* Scopes (ABI 6). */
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)

/* The system calls (Linux 5.13); the numbers are the same on every architecture but alpha. */
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef SYS_landlock_add_rule
#define SYS_landlock_add_rule 445
#endif
#ifndef SYS_landlock_restrict_self
#define SYS_landlock_restrict_self 446
#endif

static inline long landlock_create_ruleset(const struct landlock_ruleset_attr *attr, size_t size, __u32 flags)
{
    return syscall(SYS_landlock_create_ruleset, attr, size, flags);
}

static inline long landlock_add_rule(int ruleset_fd, enum landlock_rule_type type, const void *attr, __u32 flags)
{
    return syscall(SYS_landlock_add_rule, ruleset_fd, type, attr, flags);
}

static inline long landlock_restrict_self(int ruleset_fd, __u32 flags)
{
    return syscall(SYS_landlock_restrict_self, ruleset_fd, flags);
}

/* landlock_restrict_self's flags (ABI 7) */
#ifndef LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON
#define LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON (1U << 1)
#endif

#endif
