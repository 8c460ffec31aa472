package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import dev.syscage.supervise.decode.SyscallDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Which calls notify mode makes itself when a path decides, and the warning for path rules on the others. */
class RaceFreeTest {
    private static Policy load(String supervise) {
        return PolicyLoader.loadString("p.yaml", """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: notify
                    syscalls: [execve, openat, unlink, stat, setxattr, getpid]
                supervise:
                """ + supervise, LoadOptions.defaults());
    }

    private static Set<String> made(Arch arch) {
        SyscallDecoder decoder = new SyscallDecoder(arch);
        Set<String> names = new TreeSet<>();
        for (Syscall s : SyscallTable.of(arch).all()) {
            if (RaceFree.madeBySupervisor(arch, s.nr())) {
                assertTrue(decoder.namesPath(s.nr()), s.name() + " is made by the supervisor but names no path");
                names.add(s.name());
            }
        }
        return names;
    }

    @Test
    void opensAndEveryCallThatChangesAFileByPathAreMadeBySupervisor() {
        Set<String> common = Set.of(
                "open",
                "openat",
                "openat2",
                "creat",
                "unlink",
                "unlinkat",
                "rmdir",
                "mkdir",
                "mkdirat",
                "mknod",
                "mknodat",
                "symlink",
                "symlinkat",
                "rename",
                "renameat",
                "renameat2",
                "link",
                "linkat",
                "truncate",
                "chmod",
                "fchmodat",
                "fchmodat2",
                "chown",
                "lchown",
                "fchownat",
                "utime",
                "utimes",
                "futimesat",
                "utimensat",
                "setxattr",
                "lsetxattr",
                "setxattrat",
                "removexattr",
                "lremovexattr",
                "removexattrat");
        assertEquals(new TreeSet<>(common), made(Arch.X86_64), "docs/notify.md lists these");
        Set<String> i386 = new TreeSet<>(common);
        i386.addAll(List.of("truncate64", "chown32", "lchown32", "utimensat_time64"));
        assertEquals(i386, made(Arch.I386));
        assertFalse(RaceFree.madeBySupervisor(Arch.AARCH64, 56), "openat on aarch64: the supervisor runs on x86_64");
    }

    @Test
    void aPathRuleOnCallsThatRunAsAskedIsAGuardRail() {
        List<Diagnostic> found = RaceFree.lint(load("""
                  rules:
                    - syscalls: [openat, unlink, setxattr, getpid]
                      path: ["/tmp/**"]
                      decision: allow
                    - syscalls: [execve]
                      decision: allow
                    - syscalls: [execve, stat, openat]
                      path: ["/usr/bin/*"]
                      decision: allow
                  default: errno EACCES
                """));
        assertEquals(1, found.size(), found.toString());
        Diagnostic d = found.get(0);
        assertEquals(14, d.pos().line(), "at the third rule");
        String m = d.message();
        assertTrue(
                m.startsWith("supervise rule #3 decides execve, execveat, lstat, newfstatat, stat, statx by path"),
                "execve and stat, and their siblings that name a path: " + m);
        assertFalse(m.contains("openat"), m);
        assertFalse(m.contains("fstat,"), "fstat names no path: " + m);
        assertTrue(m.contains("(CONTINUE): the kernel reads the path again after the decision"), m);
        assertTrue(d.render().startsWith("p.yaml:14:"), d.render());
    }

    @Test
    void theShippedProfilesPathRulesHold() throws IOException {
        Path profiles = Path.of("..", "profiles");
        assertTrue(Files.isDirectory(profiles), profiles.toAbsolutePath().toString());
        try (Stream<Path> files = Files.list(profiles)) {
            List<Path> yaml =
                    files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertTrue(yaml.size() >= 5, yaml.toString());
            for (Path p : yaml) {
                assertEquals(List.of(), RaceFree.lint(PolicyLoader.load(p, LoadOptions.defaults())), p.toString());
            }
        }
    }
}
