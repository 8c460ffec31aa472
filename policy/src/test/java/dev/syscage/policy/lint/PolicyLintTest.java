package dev.syscage.policy.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each lint on small policies, with the whole diagnostic (position, severity, message): one
 * policy that triggers it, and the same policy with the advice followed, which must be quiet.
 */
class PolicyLintTest {
    /** Allows what every program needs at start-up, so tests with a denying default see only their lint. */
    static final String STARTUP = """
              - action: allow
                syscalls: [execve, prctl, brk, arch_prctl, mmap, mprotect, munmap, openat, read, pread64, close,
                           fstat, newfstatat, set_tid_address, set_robust_list, rseq, prlimit64, exit_group,
                           rt_sigreturn]
            """;

    static List<String> lint(String yaml) {
        Policy p = PolicyLoader.loadString("p.yaml", yaml, new LoadOptions(List.of(), List.of()));
        return PolicyLint.check(p).stream().map(Diagnostic::header).toList();
    }

    @Test
    void killingExecveForAllArgumentsIsAnError() {
        assertEquals(List.of("p.yaml:5:5: error: policy kills execve: the program could not start"), lint("""
                version: 1
                arch: x86_64
                default: allow
                rules:
                  - action: kill
                    syscalls: [execve]
                """));
    }

    @Test
    void aDefaultThatDeniesExecveIsNamedAsTheCause() {
        assertEquals(
                List.of("p.yaml:3:10: error: policy denies execve: the program could not start"),
                lint("""
                version: 1
                arch: x86_64
                default: errno EPERM
                rules:
                """ + STARTUP.replace("execve, ", "")));
    }

    @Test
    void execveDeniedForSomeArgumentsIsAWarning() {
        assertEquals(
                List.of("p.yaml:5:5: warning: policy traps execve for some arguments: the program could not"
                        + " start if its own execve is one of them"),
                lint("""
                version: 1
                arch: x86_64
                default: allow
                rules:
                  - action: trap
                    syscalls: [execve]
                    when: "argv == 0"
                """));
    }

    @Test
    void theLaunchersPrctlMustNotSayNoFilter() {
        String policy = """
                version: 1
                arch: x86_64
                default: allow
                rules:
                  - action: ACTION
                    syscalls: [prctl]
                    when: "option == PR_GET_SECCOMP"
                """;
        assertEquals(
                List.of("p.yaml:5:5: error: policy makes prctl(PR_GET_SECCOMP) fail with EINVAL: syscage-launch"
                        + " reads that as 'no filter installed' and does not start the program"),
                lint(policy.replace("ACTION", "errno EINVAL")));
        assertEquals(
                List.of("p.yaml:5:5: error: policy makes prctl(PR_GET_SECCOMP) return 0 (errno 0): syscage-launch"
                        + " reads that as 'no filter installed' and does not start the program"),
                lint(policy.replace("ACTION", "errno 0")));
        assertEquals(
                List.of("p.yaml:5:5: error: policy kills prctl(PR_GET_SECCOMP): syscage-launch makes that call"
                        + " to check the filter, so the program could not start"),
                lint(policy.replace("ACTION", "kill")));
        assertEquals(List.of(), lint(policy.replace("ACTION", "errno EPERM")), "any other errno tells 'filter on'");
        assertEquals(List.of(), lint(policy.replace("ACTION", "kill").replace("==", "!=")));
    }

    @Test
    void startUpSyscallsDeniedForAllArgumentsAreListedAtWhatDeniesThem() {
        String policy = """
                version: 1
                arch: x86_64
                default: kill
                rules:
                  - action: errno EPERM
                    syscalls: [rseq]
                """ + STARTUP.replace(" brk,", "").replace(" mmap,", "").replace(" rseq,", "");
        assertEquals(
                List.of(
                        "p.yaml:3:10: warning: policy denies brk, mmap: every dynamically linked program calls them at"
                                + " start-up, and would fail before main",
                        "p.yaml:5:5: warning: policy denies rseq: every dynamically linked program calls it at start-up,"
                                + " and would fail before main"),
                lint(policy));
    }

    @Test
    void oneAllowedAlternativeIsEnough() {
        String policy = """
                version: 1
                arch: x86_64
                default: errno EPERM
                rules:
                """ + STARTUP.replace(" fstat,", "");
        assertEquals(List.of(), lint(policy), "newfstatat stands in for fstat");
        assertEquals(
                List.of("p.yaml:3:10: warning: policy denies fstat/newfstatat: every dynamically linked program"
                        + " calls it at start-up, and would fail before main"),
                lint(policy.replace(" newfstatat,", "")));
    }

    @Test
    void cloneArgumentRulesNeedClone3Denied() {
        String policy = """
                version: 1
                arch: x86_64
                default: allow
                rules:
                  - action: errno EPERM
                    syscalls: [clone]
                    when: "flags & CLONE_UNTRACED"
                """;
        assertEquals(
                List.of("p.yaml:5:5: warning: rule checks clone's arguments, but clone3 is not denied: clone3"
                        + " passes flags in memory, out of BPF's reach: deny it with errno ENOSYS so libc falls back to"
                        + " clone"),
                lint(policy));
        assertEquals(List.of(), lint(policy + """
                  - action: errno ENOSYS
                    syscalls: [clone3]
                """));
    }

    @Test
    void clone3DeniedWithAnotherErrnoBreaksThreads() {
        assertEquals(
                List.of("p.yaml:3:10: warning: policy denies clone3 with errno EPERM: glibc falls back to clone"
                        + " only on ENOSYS, so creating threads and processes fails; deny clone3 with errno ENOSYS"),
                lint("""
                version: 1
                arch: x86_64
                default: errno EPERM
                rules:
                  - action: allow
                    syscalls: [clone]
                """ + STARTUP));
    }

    @Test
    void socketRulesOnI386NeedSocketcallDenied() {
        String policy = """
                version: 1
                arch: [x86_64, i386]
                default: allow
                rules:
                  - action: errno EPERM
                    syscalls: [socket]
                    when: "domain == AF_VSOCK"
                  - action: errno ENOSYS
                    syscalls: [io_uring_setup]
                """;
        assertEquals(
                List.of("p.yaml:3:10: warning: policy restricts socket on i386 but lets socketcall through,"
                        + " which makes the same calls with arguments in memory, out of BPF's reach: deny socketcall"
                        + " (errno ENOSYS)"),
                lint(policy));
        assertEquals(List.of(), lint(policy + """
                  - action: errno ENOSYS
                    syscalls: [socketcall]
                """));
        assertEquals(List.of(), lint(policy.replace("[x86_64, i386]", "x86_64")), "x86_64 has no socketcall");
    }

    @Test
    void ipcRulesOnI386NeedIpcDenied() {
        assertEquals(
                List.of("p.yaml:8:5: warning: policy restricts shmget, shmctl on i386 but lets ipc through,"
                        + " which makes the same calls with arguments in memory, out of BPF's reach: deny ipc (errno"
                        + " ENOSYS)"),
                lint("""
                version: 1
                arch: i386
                default: allow
                rules:
                  - action: errno EPERM
                    syscalls: [shmget, shmctl]
                    when: "arg0 == 0"
                  - action: log
                    syscalls: [ipc]
                """));
    }

    @Test
    void ioUringWhileFilesOrNetworkAreRestricted() {
        String policy = """
                version: 1
                arch: x86_64
                default: allow
                rules:
                  - action: errno EACCES
                    syscalls: [openat, mkdirat, unlinkat, renameat2, socket]
                    when: "arg0 == 5"
                """;
        assertEquals(
                List.of("p.yaml:3:10: warning: policy lets io_uring_setup through but restricts openat,"
                        + " renameat2, unlinkat, mkdirat and 1 more: io_uring performs opens and connects without"
                        + " syscalls, out of seccomp's reach: deny io_uring_setup (errno ENOSYS)"),
                lint(policy));
        assertEquals(List.of(), lint(policy + """
                  - action: errno ENOSYS
                    syscalls: [io_uring_setup]
                """));
    }
}
