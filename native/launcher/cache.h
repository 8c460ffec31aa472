/*
 * The run cache (docs/launcher.md#the-run-cache): what 'syscage run' compiled for a policy that
 * needs no supervisor, stored so that the next such run starts without a JVM.
 *
 * bin/syscage execs 'syscage-launch --cached-run ROOT run ARGS... -- PROG...' for every 'run'.
 * cache_front() looks the run up: on a hit it returns the launcher argv the entry's plan makes
 * (the filter and the ruleset on memfds); on anything else it execs bin/syscage's JVM path, with
 * the key in SYSCAGE_CACHE_KEY when the run may be stored. The JVM then passes --cache-store
 * REQUEST to the launcher, and cache_store() writes the entry (temp file + rename) before the
 * program starts.
 *
 * An entry is text: the key (clone root, working directory, the run's arguments before '--'),
 * the build (the launcher's sources and the jar's inode, size and times), the machine, the uid,
 * the Landlock ABI, what --contain can make (when the policy has an isolate: section), each
 * policy file with its SHA-256, the messages the JVM printed, the launcher options, the filter
 * and the ruleset in hex, and a SHA-256 of all of it. Any mismatch, a bad checksum, an entry or
 * directory another user owns or could write: a miss, and the JVM compiles again.
 */
#ifndef SYSCAGE_CACHE_H
#define SYSCAGE_CACHE_H

#include <stddef.h>

#define CACHE_KEY_ENV "SYSCAGE_CACHE_KEY"
#define CACHED_RUN_ENV "SYSCAGE_CACHED_RUN"
#define CACHE_MAX_ENTRIES 256

/*
 * Front end of 'syscage run' (argv: syscage-launch --cached-run ROOT run ARGS...). Returns only
 * on a hit, with the launcher's own argv for the stored plan in *out_argc, *out_argv; otherwise
 * it execs bash ROOT/bin/syscage run ARGS... (the JVM path).
 */
void cache_front(int argc, char **argv, int *out_argc, char ***out_argv);

/*
 * Store mode (--cache-store REQUEST, from the JVM): writes the entry for the key the front end
 * set, if any. options are the launcher's own options (argv[1] up to '--'). Failures only warn
 * under SYSCAGE_CACHE_DEBUG: the run goes on as it would without a cache.
 */
void cache_store(const char *request, const unsigned char *filter, size_t filter_len,
                 const unsigned char *landlock, size_t landlock_len, char **options, int option_count);

/* Takes the cache's variables out of the environment (the program never sees them); keeps the key. */
void cache_take_env(void);

#endif
