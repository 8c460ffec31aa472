/* The run cache's buffer and encodings: see cache_text.h. */
#include "cache_text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"

void text_append(struct text *t, const void *bytes, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap == 0 ? 1024 : t->cap;
        while (cap < t->len + n + 1) {
            cap *= 2;
        }
        char *grown = realloc(t->bytes, cap);
        if (grown == NULL) {
            die_errno(STATUS_LAUNCH_FAILED, ENOMEM, "realloc", NULL);
        }
        t->bytes = grown;
        t->cap = cap;
    }
    memcpy(t->bytes + t->len, bytes, n);
    t->len += n;
    t->bytes[t->len] = '\0';
}

void text_add(struct text *t, const char *s)
{
    text_append(t, s, strlen(s));
}

void text_printf(struct text *t, const char *fmt, ...)
{
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(line)) { /* long: a message or a path; print it again into its own buffer */
        char *big = malloc((size_t)n + 1);
        if (big == NULL) {
            die_errno(STATUS_LAUNCH_FAILED, ENOMEM, "malloc", NULL);
        }
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        text_append(t, big, (size_t)n);
        free(big);
        return;
    }
    text_append(t, line, n > 0 ? (size_t)n : 0);
}

void text_escaped(struct text *t, const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == '%' || c == 0x7f) {
            text_printf(t, "%%%02X", c);
        } else {
            text_append(t, s, 1);
        }
    }
}

void text_hex(struct text *t, const unsigned char *bytes, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        char pair[2] = {digits[bytes[i] >> 4], digits[bytes[i] & 15]};
        text_append(t, pair, 2);
    }
}

static int digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

bool text_unescape(char *s)
{
    char *out = s;
    for (; *s != '\0'; s++) {
        if (*s != '%') {
            *out++ = *s;
            continue;
        }
        int hi = digit(s[1]), lo = hi < 0 ? -1 : digit(s[2]);
        if (lo < 0) {
            return false;
        }
        *out++ = (char)(hi * 16 + lo);
        s += 2;
    }
    *out = '\0';
    return true;
}

bool text_unhex(struct text *t, const char *s)
{
    size_t n = strlen(s);
    if (n % 2 != 0) {
        return false;
    }
    for (size_t i = 0; i < n; i += 2) {
        int hi = digit(s[i]), lo = digit(s[i + 1]);
        if (hi < 0 || lo < 0) {
            return false;
        }
        unsigned char b = (unsigned char)(hi * 16 + lo);
        text_append(t, &b, 1);
    }
    return true;
}
