/*
 * libseccomp_ref: builds a seccomp filter with libseccomp from rules on standard input, the way
 * runc calls libseccomp, and writes the BPF libseccomp generates (struct sock_filter, native
 * byte order) to the file named by argv[1]. The differential tests interpret that program with
 * syscage's interpreter and compare it with syscage's import of the same OCI profile.
 *
 * Input, one directive a line:
 *   arch NAME                 x86_64, x86 or aarch64; the first replaces the native architecture
 *                             (syscall names are resolved on the native one, as runc does)
 *   default ACTION DATA       the filter's default action
 *   rule NAME ACTION DATA N [ARG OP VALUE VALUE_TWO]...   one seccomp_rule_add_array call
 * ACTION: allow, errno, kill_thread, kill_process, trap, trace, log. OP: ne lt le eq ge gt masked_eq.
 * VALUE and VALUE_TWO are unsigned 64-bit decimals. For each rule one line is printed on
 * standard output: "ok", "err -ERRNO" (runc fails to start the container on an error) or
 * "unknown" (a name libseccomp does not know: no rule is added, as runc skips such names).
 * Exit status: 0, or 1 with a message on standard error (bad input, libseccomp failure).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void die(const char *what, int rc)
{
	fprintf(stderr, "libseccomp_ref: %s: %s\n", what, strerror(rc < 0 ? -rc : rc));
	exit(1);
}

static uint32_t action(const char *name, unsigned long data)
{
	if (strcmp(name, "allow") == 0)
		return SCMP_ACT_ALLOW;
	if (strcmp(name, "errno") == 0)
		return SCMP_ACT_ERRNO(data);
	if (strcmp(name, "kill_thread") == 0)
		return SCMP_ACT_KILL_THREAD;
	if (strcmp(name, "kill_process") == 0)
		return SCMP_ACT_KILL_PROCESS;
	if (strcmp(name, "trap") == 0)
		return SCMP_ACT_TRAP;
	if (strcmp(name, "trace") == 0)
		return SCMP_ACT_TRACE(data);
	if (strcmp(name, "log") == 0)
		return SCMP_ACT_LOG;
	fprintf(stderr, "libseccomp_ref: unknown action '%s'\n", name);
	exit(1);
}

static enum scmp_compare op(const char *name)
{
	static const struct { const char *n; enum scmp_compare op; } ops[] = {
		{"ne", SCMP_CMP_NE}, {"lt", SCMP_CMP_LT}, {"le", SCMP_CMP_LE}, {"eq", SCMP_CMP_EQ},
		{"ge", SCMP_CMP_GE}, {"gt", SCMP_CMP_GT}, {"masked_eq", SCMP_CMP_MASKED_EQ},
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(name, ops[i].n) == 0)
			return ops[i].op;
	fprintf(stderr, "libseccomp_ref: unknown operator '%s'\n", name);
	exit(1);
}

static uint32_t arch_token(const char *name)
{
	uint32_t a = seccomp_arch_resolve_name(name);
	if (a == 0) {
		fprintf(stderr, "libseccomp_ref: unknown architecture '%s'\n", name);
		exit(1);
	}
	return a;
}

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx = NULL;
	uint32_t first_arch = 0;
	char word[64];
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: libseccomp_ref OUT.bpf < rules\n");
		return 1;
	}
	while (scanf("%63s", word) == 1) {
		if (strcmp(word, "arch") == 0) {
			char name[32];
			if (scanf("%31s", name) != 1)
				die("arch", EINVAL);
			uint32_t a = arch_token(name);
			if (ctx == NULL)
				die("arch before default", EINVAL);
			if (first_arch == 0) {
				first_arch = a;
				if (a != seccomp_arch_native()) {
					if ((rc = seccomp_arch_add(ctx, a)) != 0)
						die("seccomp_arch_add", rc);
					if ((rc = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE)) != 0)
						die("seccomp_arch_remove", rc);
				}
			} else if ((rc = seccomp_arch_add(ctx, a)) != 0 && rc != -EEXIST) {
				die("seccomp_arch_add", rc);
			}
		} else if (strcmp(word, "default") == 0) {
			char act[32];
			unsigned long data;
			if (scanf("%31s %lu", act, &data) != 2)
				die("default", EINVAL);
			ctx = seccomp_init(action(act, data));
			if (ctx == NULL)
				die("seccomp_init", EINVAL);
		} else if (strcmp(word, "rule") == 0) {
			char name[64], act[32];
			unsigned long data;
			unsigned int n;
			struct scmp_arg_cmp cmp[6];
			if (scanf("%63s %31s %lu %u", name, act, &data, &n) != 4 || n > 6)
				die("rule", EINVAL);
			for (unsigned int i = 0; i < n; i++) {
				char o[16];
				unsigned int arg;
				uint64_t a, b;
				if (scanf("%u %15s %" SCNu64 " %" SCNu64, &arg, o, &a, &b) != 4)
					die("rule argument", EINVAL);
				cmp[i] = (struct scmp_arg_cmp){ .arg = arg, .op = op(o), .datum_a = a, .datum_b = b };
			}
			/* the native number, as runc passes it: libseccomp translates it by name; a
			 * name libseccomp does not know is skipped, as runc skips it */
			int nr = seccomp_syscall_resolve_name(name);
			if (nr == __NR_SCMP_ERROR) {
				printf("unknown\n");
				continue;
			}
			rc = seccomp_rule_add_array(ctx, action(act, data), nr, n, cmp);
			if (rc == 0)
				printf("ok\n");
			else
				printf("err %d\n", rc);
		} else {
			fprintf(stderr, "libseccomp_ref: unknown directive '%s'\n", word);
			return 1;
		}
	}
	if (ctx == NULL)
		die("no default", EINVAL);
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die(argv[1], errno);
	if ((rc = seccomp_export_bpf(ctx, fd)) != 0)
		die("seccomp_export_bpf", rc);
	close(fd);
	seccomp_release(ctx);
	fflush(stdout);
	return 0;
}
