#ifndef SYSCAGE_SHA256_H
#define SYSCAGE_SHA256_H
/*
 * SHA-256 (FIPS 180-4), for the run cache (cache.c): the content of a policy's files and the
 * checksum of a cache entry. Small and without a library, as the launcher links nothing else.
 */
#include <stddef.h>
#include <stdint.h>

struct sha256 {
    uint32_t h[8];
    uint64_t total;
    unsigned char block[64];
    size_t used;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
/* The digest as 64 lowercase hex digits and a NUL. */
void sha256_hex(struct sha256 *s, char out[65]);
void sha256_of(const void *data, size_t n, char out[65]);

#endif
