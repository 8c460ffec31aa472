/*
 * Whether a clone's build is out of date, as bin/syscage's JVM path decides it (its find -newer),
 * but without a process: the jar or the launcher missing, or a source file (*.java, *.yaml,
 * *.tsv, *.c, *.h, Makefile) under policy/src/main, enforcer/src/main, profiles or native
 * modified after the jar. Build output directories (target/, native/build/) hold no sources and
 * are not walked.
 */
#ifndef SYSCAGE_STALE_H
#define SYSCAGE_STALE_H

#include <stdbool.h>
#include <stddef.h>

/* True (and why) when bin/syscage would rebuild before running. */
bool build_stale(const char *root, char *why, size_t n);

#endif
