/*
 * The run cache's entries (cache.h): where they live, the identity part every entry starts
 * with (the key, the build, the machine), and the checks that decide whether an entry or the
 * directory holding it can be trusted. Shared by the front end (cache.c) and store mode
 * (cache_store.c).
 */
#ifndef SYSCAGE_CACHE_ENTRY_H
#define SYSCAGE_CACHE_ENTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "cache_text.h"

#define HEADER "syscage-cache 1\n"

/* Whether SYSCAGE_CACHE_DEBUG=1; cache_debug prints "syscage: cache: MESSAGE" then. */
bool cache_debugging(void);
void cache_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* $SYSCAGE_CACHE_DIR, else $XDG_CACHE_HOME/syscage, else $HOME/.cache/syscage; absolute only. */
bool cache_dir(char *out, size_t n);
/*
 * The cache directory's real path in real, if it is ours and nobody else may write in it, and
 * every directory above it is root's or ours and writable by nobody else unless sticky.
 */
bool cache_dir_trusted(const char *dir, char *real, char *why, size_t n);
/* mkdir -p, 0700 for what it makes. */
void cache_make_dirs(const char *dir);
/* DIR/<first 32 hex digits of the key's SHA-256>.entry */
void cache_entry_path(const char *dir, const char *key, char *out, size_t n);
/* The entry's first lines: the key and everything about this build and machine it must match. */
bool cache_identity(struct text *t, const char *key, char *why, size_t n);
/* What --contain can make here, as --probe-contain prints it (without the newline). */
bool cache_probe_contain(char *out, size_t n);
/* The SHA-256 of a file's content; false when it cannot be read. */
bool cache_hash_file(const char *path, char hex[65]);
/* Whether the first len bytes of arg are one of the NULL-terminated list's names. */
bool cache_listed(const char *const *list, const char *arg, size_t len);

#endif
