/*
 * The libseccomp side of the compiler benchmark: reads the flattened rules that syscage's
 * benchmark writes (the same resolved profile syscage compiles), builds them with libseccomp
 * at optimize level 2 (binary tree), exports the BPF, and reports how long that took.
 *
 * Rules file, one directive a line:
 *   default ACTION DATA
 *   rule ACTION DATA SYSCALL [INDEX:OP:VALUE:VALUETWO ...]
 * ACTION is ALLOW, ERRNO, KILL_PROCESS, KILL_THREAD, TRAP, TRACE, LOG; OP is NE, LT, LE, EQ,
 * GE, GT or MASKED_EQ, as in the OCI profile format.
 *
 * usage: libseccomp-compile RULES OUT.bpf [ITERATIONS]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_RULES 2048
#define MAX_ARGS 6

struct rule {
    uint32_t action;
    char name[64];
    unsigned nargs;
    struct scmp_arg_cmp args[MAX_ARGS];
};

static struct rule rules[MAX_RULES];
static unsigned nrules;
static uint32_t default_action;

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "libseccomp-compile: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(1);
}

static uint32_t parse_action(const char *word, unsigned long data)
{
    if (!strcmp(word, "ALLOW")) return SCMP_ACT_ALLOW;
    if (!strcmp(word, "ERRNO")) return SCMP_ACT_ERRNO(data);
    if (!strcmp(word, "KILL_PROCESS")) return SCMP_ACT_KILL_PROCESS;
    if (!strcmp(word, "KILL_THREAD")) return SCMP_ACT_KILL_THREAD;
    if (!strcmp(word, "TRAP")) return SCMP_ACT_TRAP;
    if (!strcmp(word, "TRACE")) return SCMP_ACT_TRACE(data);
    if (!strcmp(word, "LOG")) return SCMP_ACT_LOG;
    die("unknown action '%s'", word);
    return 0;
}

static enum scmp_compare parse_op(const char *op)
{
    if (!strcmp(op, "NE")) return SCMP_CMP_NE;
    if (!strcmp(op, "LT")) return SCMP_CMP_LT;
    if (!strcmp(op, "LE")) return SCMP_CMP_LE;
    if (!strcmp(op, "EQ")) return SCMP_CMP_EQ;
    if (!strcmp(op, "GE")) return SCMP_CMP_GE;
    if (!strcmp(op, "GT")) return SCMP_CMP_GT;
    if (!strcmp(op, "MASKED_EQ")) return SCMP_CMP_MASKED_EQ;
    die("unknown comparison '%s'", op);
    return 0;
}

static void read_rules(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    if (!f)
        die("cannot open %s", path);
    while (fgets(line, sizeof line, f)) {
        char *save = NULL;
        char *kind = strtok_r(line, " \t\n", &save);
        if (!kind || kind[0] == '#')
            continue;
        char *action = strtok_r(NULL, " \t\n", &save);
        char *data = strtok_r(NULL, " \t\n", &save);
        if (!action || !data)
            die("bad line starting with '%s'", kind);
        uint32_t act = parse_action(action, strtoul(data, NULL, 0));
        if (!strcmp(kind, "default")) {
            default_action = act;
            continue;
        }
        if (nrules == MAX_RULES)
            die("more than %s rules", "2048");
        struct rule *r = &rules[nrules++];
        char *name = strtok_r(NULL, " \t\n", &save);
        if (!name)
            die("rule without syscall after '%s'", action);
        r->action = act;
        snprintf(r->name, sizeof r->name, "%s", name);
        char *cmp;
        while ((cmp = strtok_r(NULL, " \t\n", &save))) {
            char op[16];
            unsigned idx;
            unsigned long long v1, v2;
            if (r->nargs == MAX_ARGS)
                die("too many conditions for %s", name);
            if (sscanf(cmp, "%u:%15[A-Z_]:%llu:%llu", &idx, op, &v1, &v2) != 4)
                die("bad condition '%s'", cmp);
            r->args[r->nargs++] = (struct scmp_arg_cmp){idx, parse_op(op), v1, v2};
        }
    }
    fclose(f);
}

static scmp_filter_ctx build(void)
{
    scmp_filter_ctx ctx = seccomp_init(default_action);
    if (!ctx)
        die("seccomp_init failed%s", "");
    if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) != 0)
        die("seccomp_attr_set(SCMP_FLTATR_CTL_OPTIMIZE, 2) failed: libseccomp %s is too old", "< 2.5");
    for (unsigned i = 0; i < nrules; i++) {
        int nr = seccomp_syscall_resolve_name(rules[i].name);
        if (nr == __NR_SCMP_ERROR)
            continue; /* as runc: names libseccomp does not know are skipped */
        int rc = seccomp_rule_add_array(ctx, rules[i].action, nr, rules[i].nargs, rules[i].args);
        if (rc < 0 && rc != -EEXIST)
            fprintf(stderr, "libseccomp-compile: seccomp_rule_add(%s): %s\n", rules[i].name, strerror(-rc));
    }
    return ctx;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s RULES OUT.bpf [ITERATIONS]\n", argv[0]);
        return 2;
    }
    int iterations = argc > 3 ? atoi(argv[3]) : 200;
    if (iterations < 1)
        iterations = 1;
    read_rules(argv[1]);
    int devnull = open("/dev/null", O_WRONLY);
    double *t = calloc(iterations, sizeof *t);
    for (int i = 0; i < iterations; i++) {
        double start = now_us();
        scmp_filter_ctx ctx = build();
        seccomp_export_bpf(ctx, devnull);
        t[i] = now_us() - start;
        seccomp_release(ctx);
    }
    qsort(t, iterations, sizeof *t, cmp_double);
    scmp_filter_ctx ctx = build();
    int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || seccomp_export_bpf(ctx, out) != 0)
        die("cannot write %s", argv[2]);
    close(out);
    seccomp_release(ctx);
    const struct scmp_version *v = seccomp_version();
    printf("libseccomp %u.%u.%u compile_us_median %.1f\n", v->major, v->minor, v->micro, t[iterations / 2]);
    return 0;
}
