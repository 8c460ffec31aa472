package dev.syscage.policy.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The calls OCI runtimes make after installing a profile, checked at export ({@link RuntimeLint}). */
class RuntimeLintTest {
    private static Policy load(String text) {
        return PolicyLoader.loadString("p.yaml", text, LoadOptions.defaults());
    }

    @Test
    void readOnlyOpensStopTheExecFifo() {
        Policy p = load("""
                version: 1
                arch: x86_64
                default: allow
                rules:
                  - action: errno EACCES
                    syscalls: [openat]
                    when: "(flags & O_ACCMODE) != O_RDONLY"
                """);
        assertEquals(
                List.of("p.yaml:5:5: runc calls openat(AT_FDCWD, \"/proc/self/fd/N\", O_WRONLY|O_CLOEXEC) to open"
                        + " its exec fifo after installing the profile, and the policy answers errno EACCES (rule #1 (p.yaml:5)):"
                        + " runc would not start the container"),
                RuntimeLint.check(p));
    }

    @Test
    void namesExecveAndTheGoRuntimesCallsPerArchitecture() {
        Policy p = load("""
                version: 1
                arch: [x86_64, aarch64, i386]
                default: allow
                rules:
                  - action: kill
                    syscalls: [execve, futex, sched_yield]
                """);
        List<String> w = RuntimeLint.check(p);
        assertEquals(4, w.size(), w.toString());
        assertEquals(
                "p.yaml:5:5: runc and crun call execve to start the container's program on x86_64 after installing"
                        + " the profile, and the policy answers kill (rule #1 (p.yaml:5)): runc and crun would not start the container",
                w.get(0));
        assertEquals(
                "p.yaml:5:5: the policy denies futex, sched_yield on x86_64, which runc's Go runtime may call between"
                        + " installing the profile and execve: runc may fail to start the container",
                w.get(1));
        assertEquals(true, w.get(2).contains(" on aarch64 "), w.get(2));
    }

    @Test
    void errno4095IsOneLibseccompRefuses() {
        Policy p = load("""
                version: 1
                arch: x86_64
                default: allow
                rules:
                  - action: errno 4095
                    syscalls: [ptrace]
                """);
        assertEquals(
                List.of("p.yaml:5:5: rule #1 (p.yaml:5) answers errno 4095, which libseccomp refuses (it takes errno"
                        + " values below 4095): runc and crun would not start the container"),
                RuntimeLint.check(p));
    }

    @Test
    void theShippedDefaultProfileLetsTheRuntimeThrough() {
        Policy p = load("""
                version: 1
                include: [default]
                default: errno EPERM
                rules: []
                """);
        assertEquals(List.of(), RuntimeLint.check(p));
    }
}
