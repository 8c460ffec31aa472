/*
 * Parsing one case line. The format, in outline:
 *
 *   case   = abi nr { arg }            (at most 6 args; missing ones are 0)
 *   abi    = "64" | "32"
 *   nr     = number
 *   arg    = number | "mem:" HEXBYTES | "str:" TEXT
 *   number = [ "-" ] ( DECIMAL | "0x" HEX )   (64 bits; a negative number wraps, as in C;
 *                                              a leading 0 does not make it octal)
 *
 * mem: and str: put data into scratch memory mapped below 4 GiB, so that i386 calls, which
 * see only 32-bit pointers, can use it too; the argument becomes its address.
 */
#include "probe.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Where the next mem:/str: piece goes in the scratch area. */
struct scratch_cursor {
    unsigned char *base;
    size_t used;
    size_t size;
};

static const char *parse_number(const char *tok, uint64_t *out)
{
    int negative = tok[0] == '-';
    const char *digits = tok + negative;
    int base = 10;
    char *end;

    if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
        base = 16;
        digits += 2;
    }
    if (!isxdigit((unsigned char)digits[0]) || (base == 10 && !isdigit((unsigned char)digits[0]))) {
        return "expected a number (decimal or 0x-hex, optionally negative)";
    }
    errno = 0;
    unsigned long long v = strtoull(digits, &end, base);
    if (*end != '\0') {
        return "expected a number (decimal or 0x-hex, optionally negative)";
    }
    if (errno == ERANGE || (negative && v > (1ULL << 63))) {
        return "number does not fit in 64 bits";
    }
    *out = negative ? (uint64_t)0 - v : v;
    return NULL;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Reserves n bytes, 8-aligned, in the scratch area. */
static unsigned char *scratch_take(struct scratch_cursor *s, size_t n)
{
    size_t at = (s->used + 7) & ~(size_t)7;

    if (at > s->size || n > s->size - at) {
        return NULL;
    }
    s->used = at + n;
    return s->base + at;
}

static const char *parse_memory(const char *tok, struct scratch_cursor *s, uint64_t *out)
{
    unsigned char *dst;

    if (strncmp(tok, "str:", 4) == 0) {
        size_t n = strlen(tok + 4) + 1;
        if ((dst = scratch_take(s, n)) == NULL) {
            return "mem:/str: arguments are larger than the scratch area";
        }
        memcpy(dst, tok + 4, n);
    } else {
        const char *hex = tok + 4;
        size_t len = strlen(hex);
        if (len % 2 != 0) {
            return "mem: needs an even number of hex digits";
        }
        if ((dst = scratch_take(s, len / 2)) == NULL) {
            return "mem:/str: arguments are larger than the scratch area";
        }
        for (size_t i = 0; i < len / 2; i++) {
            int hi = hex_value(hex[2 * i]);
            int lo = hex_value(hex[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                return "mem: takes hex digits only";
            }
            dst[i] = (unsigned char)(hi << 4 | lo);
        }
    }
    *out = (uint64_t)(uintptr_t)dst;
    return NULL;
}

static const char *parse_abi(const char *tok, enum probe_abi *out)
{
    if (strcmp(tok, "64") == 0) {
        *out = ABI_64;
    } else if (strcmp(tok, "32") == 0) {
        *out = ABI_32;
    } else {
        return "ABI must be 64 (syscall) or 32 (int $0x80)";
    }
    return NULL;
}

const char *case_parse(char *line, struct probe_case *out, unsigned char *scratch, size_t scratch_size)
{
    struct scratch_cursor s = { scratch, 0, scratch_size };
    char *save = NULL;
    char *tok = strtok_r(line, " \t\r\n", &save);
    const char *err;
    int nargs = 0;

    memset(out, 0, sizeof(*out));
    if (tok == NULL || (err = parse_abi(tok, &out->abi)) != NULL) {
        return tok == NULL ? "empty case" : err;
    }
    if ((tok = strtok_r(NULL, " \t\r\n", &save)) == NULL) {
        return "missing syscall number";
    }
    if ((err = parse_number(tok, &out->nr)) != NULL) {
        return err;
    }
    while ((tok = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
        if (nargs == 6) {
            return "more than 6 arguments";
        }
        int memory = strncmp(tok, "mem:", 4) == 0 || strncmp(tok, "str:", 4) == 0;
        err = memory ? parse_memory(tok, &s, &out->args[nargs]) : parse_number(tok, &out->args[nargs]);
        if (err != NULL) {
            return err;
        }
        nargs++;
    }
    return NULL;
}
