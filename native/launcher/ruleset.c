/*
 * Reads and checks the Landlock ruleset file (see ruleset.h). Runs before anything else happens,
 * so a file the launcher does not understand stops it before the program can run.
 *
 * The text form, one line each, in this order (LandlockRuleset.serialize()):
 *
 *   ruleset = "syscage-landlock 1" LF
 *             "compat " ( "required" | "best-effort" ) LF
 *             "fs " hex LF  "net " hex LF  "scope " hex LF
 *             { path | port }
 *             "end" [ LF ]                          nothing may follow
 *   path    = "path " hex " " ( "required" | "optional" ) " " pathtext LF
 *   port    = "port " hex " " 1*5DIGIT LF           0 .. 65535
 *   hex     = "0x" 1*16HEXDIG
 *   pathtext: the path's bytes; those outside '!'..'~', and '%', written %XX
 *
 * Fields are separated by exactly one space. A rule grants a non-empty subset of what its 'fs'
 * or 'net' line handles. Decoded paths are absolute and hold no NUL byte.
 */
#include "ruleset.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"

#define MAGIC "syscage-landlock 1"
#define MAX_FIELDS 5 /* one more than the longest line has, to tell "too many" */
#define SHOWN_MAX 60 /* bytes of a bad line quoted in a message */

/* The line being read. */
struct parser {
    const char *name; /* FILE or "fd N" */
    unsigned line; /* 1-based */
    char shown[4 * SHOWN_MAX + 4]; /* the whole line, printable, for "got '...'" */
    char *fields[MAX_FIELDS];
    size_t count;
};

static const char *const FS_NAMES[] = {
    "execute", "write_file", "read_file", "read_dir", "remove_dir", "remove_file", "make_char", "make_dir",
    "make_reg", "make_sock", "make_fifo", "make_block", "make_sym", "refer", "truncate", "ioctl_dev",
};
static const char *const NET_NAMES[] = {"bind_tcp", "connect_tcp"};
static const char *const SCOPE_NAMES[] = {"abstract_unix_socket", "signal"};

/* "FILE: line N: MESSAGE", status 125. */
static noreturn __attribute__((format(printf, 2, 3))) void fail(const struct parser *p, const char *fmt, ...)
{
    char message[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    die(STATUS_LAUNCH_FAILED, "%s: line %u: %s", p->name, p->line, message);
}

/* Text from the file, made printable (\xNN for other bytes) and cut at SHOWN_MAX bytes. */
static void show(const char *text, char *out, size_t size)
{
    size_t len = 0;
    size_t i = 0;
    for (; text[i] != '\0' && i < SHOWN_MAX && len + 5 < size; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out[len++] = (char)c;
        } else {
            len += (size_t)snprintf(out + len, size - len, "\\x%02x", c);
        }
    }
    if (text[i] != '\0' && len + 4 <= size) {
        memcpy(out + len, "...", 3);
        len += 3;
    }
    out[len] = '\0';
}

/* Splits the line at single spaces, in place. */
static void split(struct parser *p, char *line)
{
    p->count = 0;
    for (char *s = line;;) {
        if (p->count < MAX_FIELDS) {
            p->fields[p->count++] = s;
        }
        char *space = strchr(s, ' ');
        if (space == NULL) {
            return;
        }
        *space = '\0';
        s = space + 1;
    }
}

/* Dies with "expected 'FORM', got 'LINE'" unless the line has count fields. */
static void expect_fields(const struct parser *p, size_t count, const char *form)
{
    if (p->count != count) {
        fail(p, "expected '%s', got '%s'", form, p->shown);
    }
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* hex = "0x" 1*16HEXDIG */
static uint64_t parse_hex(const struct parser *p, const char *text)
{
    bool ok = strncmp(text, "0x", 2) == 0 && strlen(text) >= 3 && strlen(text) <= 18;
    uint64_t value = 0;
    for (const char *c = text + 2; ok && *c != '\0'; c++) {
        int d = hex_digit(*c);
        ok = d >= 0;
        value = value << 4 | (uint64_t)(d & 0xf);
    }
    if (!ok) {
        char shown[sizeof(p->shown)];
        show(text, shown, sizeof(shown));
        fail(p, "'%s' is not a hexadecimal number (0x and 1 to 16 hexadecimal digits)", shown);
    }
    return value;
}

static const char *const *kind_names(enum ruleset_kind kind, size_t *count)
{
    switch (kind) {
    case RULESET_FS:
        *count = sizeof(FS_NAMES) / sizeof(FS_NAMES[0]);
        return FS_NAMES;
    case RULESET_NET:
        *count = sizeof(NET_NAMES) / sizeof(NET_NAMES[0]);
        return NET_NAMES;
    case RULESET_SCOPE:
    default:
        *count = sizeof(SCOPE_NAMES) / sizeof(SCOPE_NAMES[0]);
        return SCOPE_NAMES;
    }
}

static const char *const KIND_WORDS[] = {[RULESET_FS] = "fs", [RULESET_NET] = "net", [RULESET_SCOPE] = "scope"};

/* Appends ", " (unless buf is empty), "fs." (when prefixed) and the name to buf. */
static void append_name(char *buf, size_t size, enum ruleset_kind kind, bool prefixed, const char *name)
{
    size_t len = strlen(buf);
    snprintf(buf + len, size - len, "%s%s%s%s", len > 0 ? ", " : "", prefixed ? KIND_WORDS[kind] : "",
             prefixed ? "." : "", name);
}

void ruleset_describe(char *buf, size_t size, enum ruleset_kind kind, uint64_t bits, bool prefixed)
{
    size_t count;
    const char *const *names = kind_names(kind, &count);
    for (size_t i = 0; i < count; i++) {
        if ((bits & (1ULL << i)) != 0) {
            append_name(buf, size, kind, prefixed, names[i]);
        }
    }
    uint64_t unknown = bits & ~((1ULL << count) - 1);
    if (unknown != 0) {
        char hex[24];
        snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)unknown);
        append_name(buf, size, kind, prefixed, hex);
    }
}

/* "fs 0xHEX", "net 0xHEX", "scope 0xHEX" on their own line: the bits, all known ones. */
static uint64_t parse_handled(const struct parser *p, enum ruleset_kind kind, uint64_t known)
{
    const char *word = KIND_WORDS[kind];
    char form[32];
    snprintf(form, sizeof(form), "%s 0xHEX", word);
    if (strcmp(p->fields[0], word) != 0) {
        fail(p, "expected '%s', got '%s'", form, p->shown);
    }
    expect_fields(p, 2, form);
    uint64_t bits = parse_hex(p, p->fields[1]);
    if ((bits & ~known) != 0) {
        fail(p, "%s 0x%llx holds bits this launcher does not know as Landlock rights (0x%llx; it knows 0x%llx)", word,
             (unsigned long long)bits, (unsigned long long)(bits & ~known), (unsigned long long)known);
    }
    return bits;
}

/* The rights of a rule: non-empty, and only what the ruleset handles. */
static uint64_t parse_access(const struct parser *p, enum ruleset_kind kind, uint64_t handled)
{
    uint64_t access = parse_hex(p, p->fields[1]);
    if (access == 0) {
        fail(p, "the rule grants no rights (0x0)");
    }
    if ((access & ~handled) != 0) {
        char names[512] = "";
        ruleset_describe(names, sizeof(names), kind, access & ~handled, false);
        fail(p, "the rule grants %s, which '%s 0x%llx' does not handle", names, KIND_WORDS[kind],
             (unsigned long long)handled);
    }
    return access;
}

/* pathtext: '!'..'~' but '%' as themselves, anything else %XX; decoded, absolute, no NUL. */
static char *decode_path(const struct parser *p, const char *text)
{
    char *out = malloc(strlen(text) + 1);
    if (out == NULL) {
        die_errno(STATUS_LAUNCH_FAILED, ENOMEM, "malloc", NULL);
    }
    size_t len = 0;
    for (const char *c = text; *c != '\0'; c++) {
        unsigned char b = (unsigned char)*c;
        if (b == '%') {
            int hi = hex_digit(c[1]);
            int lo = hi >= 0 ? hex_digit(c[2]) : -1;
            if (lo < 0) {
                char escape[4], shown[16];
                snprintf(escape, sizeof(escape), "%.3s", c);
                show(escape, shown, sizeof(shown));
                fail(p, "bad %%-escape '%s' in the path: '%%' must be followed by two hexadecimal digits", shown);
            }
            if (hi == 0 && lo == 0) {
                fail(p, "the path holds a NUL byte (%%00)");
            }
            out[len++] = (char)(hi << 4 | lo);
            c += 2;
        } else if (b > ' ' && b < 0x7f) {
            out[len++] = (char)b;
        } else {
            fail(p, "byte 0x%02x in the path must be written %%%02x", b, b);
        }
    }
    out[len] = '\0';
    if (out[0] != '/') {
        char shown[sizeof(p->shown)];
        show(out, shown, sizeof(shown));
        fail(p, "the path '%s' is not absolute", shown);
    }
    return out;
}

static void *grow(void *array, size_t count, size_t size)
{
    if ((count & (count - 1)) != 0 && count != 0) {
        return array; /* room left: the capacity is the next power of two */
    }
    void *more = realloc(array, (count == 0 ? 1 : 2 * count) * size);
    if (more == NULL) {
        die_errno(STATUS_LAUNCH_FAILED, ENOMEM, "realloc", NULL);
    }
    return more;
}

/* path = "path " hex " " ( "required" | "optional" ) " " pathtext */
static void parse_path(const struct parser *p, struct ruleset *out)
{
    expect_fields(p, 4, "path 0xHEX required|optional PATH");
    uint64_t access = parse_access(p, RULESET_FS, out->handled_fs);
    bool optional = strcmp(p->fields[2], "optional") == 0;
    if (!optional && strcmp(p->fields[2], "required") != 0) {
        char shown[sizeof(p->shown)];
        show(p->fields[2], shown, sizeof(shown));
        fail(p, "expected 'required' or 'optional', got '%s'", shown);
    }
    out->paths = grow(out->paths, out->path_count, sizeof(*out->paths));
    out->paths[out->path_count++] = (struct ruleset_path){
        .path = decode_path(p, p->fields[3]),
        .access = access,
        .optional = optional,
        .line = p->line,
    };
}

/* port = "port " hex " " 1*5DIGIT */
static void parse_port(const struct parser *p, struct ruleset *out)
{
    expect_fields(p, 3, "port 0xHEX PORT");
    uint64_t access = parse_access(p, RULESET_NET, out->handled_net);
    const char *text = p->fields[2];
    size_t digits = strspn(text, "0123456789");
    unsigned long port = digits >= 1 && digits <= 5 && text[digits] == '\0' ? strtoul(text, NULL, 10) : 65536;
    if (port > 65535) {
        char shown[sizeof(p->shown)];
        show(text, shown, sizeof(shown));
        fail(p, "'%s' is not a port number (0 to 65535)", shown);
    }
    out->ports = grow(out->ports, out->port_count, sizeof(*out->ports));
    out->ports[out->port_count++] = (struct ruleset_port){
        .access = access,
        .port = (uint16_t)port,
        .line = p->line,
    };
}

/* Line 2: "compat required" or "compat best-effort". */
static void parse_compat(const struct parser *p, struct ruleset *out)
{
    bool known = p->count == 2 && strcmp(p->fields[0], "compat") == 0
                 && (strcmp(p->fields[1], "required") == 0 || strcmp(p->fields[1], "best-effort") == 0);
    if (!known) {
        fail(p, "expected 'compat required' or 'compat best-effort', got '%s'", p->shown);
    }
    out->best_effort = strcmp(p->fields[1], "best-effort") == 0;
}

/* One line (NUL-terminated, without its LF); sets *ended on 'end'. */
static void parse_line(struct parser *p, char *line, struct ruleset *out, bool *ended)
{
    show(line, p->shown, sizeof(p->shown));
    if (p->line == 1) {
        if (strcmp(line, MAGIC) != 0) {
            fail(p, "expected '" MAGIC "', got '%s'", p->shown);
        }
        return;
    }
    split(p, line);
    switch (p->line) {
    case 2:
        parse_compat(p, out);
        return;
    case 3:
        out->handled_fs = parse_handled(p, RULESET_FS, RULESET_FS_KNOWN);
        return;
    case 4:
        out->handled_net = parse_handled(p, RULESET_NET, RULESET_NET_KNOWN);
        return;
    case 5:
        out->scoped = parse_handled(p, RULESET_SCOPE, RULESET_SCOPE_KNOWN);
        return;
    default:
        break;
    }
    if (strcmp(p->fields[0], "path") == 0) {
        parse_path(p, out);
    } else if (strcmp(p->fields[0], "port") == 0) {
        parse_port(p, out);
    } else if (strcmp(p->fields[0], "end") == 0) {
        expect_fields(p, 1, "end");
        *ended = true;
    } else {
        char shown[sizeof(p->shown)];
        show(p->fields[0], shown, sizeof(shown));
        fail(p, "unknown keyword '%s' (expected path, port or end)", shown);
    }
}

void ruleset_load(const struct input_source *source, struct ruleset *out)
{
    static char name_buf[32];
    memset(out, 0, sizeof(*out));
    out->name = input_name(source, name_buf, sizeof(name_buf));
    size_t total;
    char *text = (char *)input_read(source, RULESET_MAX_BYTES, &total);
    if (total > RULESET_MAX_BYTES) {
        die(STATUS_LAUNCH_FAILED, "%s: the Landlock ruleset is %zu bytes; the launcher reads at most %d", out->name,
            total, RULESET_MAX_BYTES);
    }
    if (total == 0) {
        die(STATUS_LAUNCH_FAILED, "%s: the Landlock ruleset is empty (0 bytes); it starts with '" MAGIC "'",
            out->name);
    }
    struct parser p = {.name = out->name};
    bool ended = false;
    for (char *pos = text, *end = text + total; pos < end;) {
        p.line++;
        char *lf = memchr(pos, '\n', (size_t)(end - pos));
        size_t len = lf != NULL ? (size_t)(lf - pos) : (size_t)(end - pos);
        if (ended) {
            fail(&p, "text after 'end'");
        }
        if (lf == NULL && !(len == 3 && memcmp(pos, "end", 3) == 0)) {
            die(STATUS_LAUNCH_FAILED, "%s: the Landlock ruleset ends in the middle of line %u, without 'end': the "
                "file is cut short", out->name, p.line);
        }
        if (memchr(pos, '\0', len) != NULL) {
            fail(&p, "the line holds a NUL byte");
        }
        pos[len] = '\0'; /* the LF, or the terminator input_read put after the last byte */
        parse_line(&p, pos, out, &ended);
        pos += len + 1;
    }
    if (!ended) {
        die(STATUS_LAUNCH_FAILED, "%s: the Landlock ruleset ends after line %u without 'end': the file is cut short",
            out->name, p.line);
    }
    free(text); /* the rules hold their own copies of the paths */
}

bool ruleset_is_empty(const struct ruleset *ruleset)
{
    return ruleset->handled_fs == 0 && ruleset->handled_net == 0 && ruleset->scoped == 0;
}
