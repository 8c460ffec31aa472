/*
 * A growing byte buffer, always NUL-terminated, and the two encodings of the run cache's entry
 * lines (cache.c): %XX for bytes below 0x20, '%' and 0x7f in text values (so that a value is the
 * rest of its line), hex for the filter and the ruleset.
 */
#ifndef SYSCAGE_CACHE_TEXT_H
#define SYSCAGE_CACHE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

struct text {
    char *bytes;
    size_t len;
    size_t cap;
};

/* Each dies with 125 when memory runs out. */
void text_append(struct text *t, const void *bytes, size_t n);
void text_add(struct text *t, const char *s);
void text_printf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void text_escaped(struct text *t, const char *s);
void text_hex(struct text *t, const unsigned char *bytes, size_t n);

/* Decodes %XX in place; false on a malformed escape. */
bool text_unescape(char *s);
/* Appends the bytes the hex digits in s stand for; false on an odd count or a non-digit. */
bool text_unhex(struct text *t, const char *s);

#endif
