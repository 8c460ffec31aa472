package dev.syscage.policy.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shipped family table: every name is a real syscall, and siblings follow each architecture's table. */
class FamiliesTest {
    private static final Families F = Families.shipped();

    private static List<String> siblings(Arch arch, String name) {
        return F.siblings(SyscallTable.of(arch), name).stream()
                .map(Syscall::name)
                .toList();
    }

    @Test
    void everyMemberIsASyscallOfSomeArchitecture() {
        F.all()
                .forEach((family, members) -> members.forEach(m -> assertTrue(
                        Arrays.stream(Arch.values())
                                .anyMatch(a -> SyscallTable.of(a).byName(m).isPresent()),
                        family + ": " + m + " is in no syscall table")));
    }

    @Test
    void theFamiliesTheIssueAsksForAreThere() {
        assertEquals(List.of("open", "openat", "openat2", "creat"), F.all().get("open"));
        assertEquals(List.of("access", "faccessat", "faccessat2"), F.all().get("access"));
        assertEquals(List.of("clone", "clone3", "fork", "vfork"), F.all().get("clone"));
        assertEquals(List.of("execve", "execveat"), F.all().get("exec"));
        assertTrue(F.all()
                .get("stat")
                .containsAll(List.of(
                        "stat",
                        "lstat",
                        "fstat",
                        "newfstatat",
                        "statx",
                        "stat64",
                        "lstat64",
                        "fstat64",
                        "fstatat64",
                        "oldstat",
                        "oldlstat",
                        "oldfstat")));
    }

    @Test
    void callsThatChangeOrReadAFileByPathAreFamiliesWithTheirAtAndLinkForms() {
        assertEquals(List.of("setxattr", "lsetxattr", "setxattrat"), F.all().get("setxattr"));
        assertEquals(
                List.of("removexattr", "lremovexattr", "removexattrat"), F.all().get("removexattr"));
        assertEquals(List.of("getxattr", "lgetxattr", "getxattrat"), F.all().get("getxattr"));
        assertEquals(List.of("listxattr", "llistxattr", "listxattrat"), F.all().get("listxattr"));
        assertEquals(List.of("utimes", "futimesat", "utimensat"), siblings(Arch.X86_64, "utime"));
        assertEquals(List.of("utime", "utimes", "futimesat", "utimensat"), siblings(Arch.I386, "utimensat_time64"));
        assertEquals(List.of("truncate64"), siblings(Arch.I386, "truncate"));
        assertEquals(List.of(), siblings(Arch.X86_64, "truncate"), "x86_64 has one truncate");
        assertEquals(List.of("statfs"), siblings(Arch.I386, "statfs64"));
    }

    @Test
    void siblingsAreThoseTheArchitectureHas() {
        assertEquals(List.of("open", "openat2", "creat"), siblings(Arch.X86_64, "openat"));
        assertEquals(List.of("openat2"), siblings(Arch.AARCH64, "openat"));
        assertEquals(List.of("open", "openat", "openat2"), siblings(Arch.I386, "creat"));
        assertEquals(List.of("clone3"), siblings(Arch.AARCH64, "clone"));
        assertEquals(List.of("newfstatat", "statx"), siblings(Arch.AARCH64, "fstat"));
        assertEquals(
                List.of(
                        "stat",
                        "lstat",
                        "fstat",
                        "statx",
                        "stat64",
                        "lstat64",
                        "fstat64",
                        "oldstat",
                        "oldlstat",
                        "oldfstat"),
                siblings(Arch.I386, "fstatat64"));
        assertEquals(List.of(), siblings(Arch.X86_64, "read"));
    }

    @Test
    void aSyscallIsInOneFamilyOnly() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Families.of(Map.of("a", List.of("open", "openat"), "b", List.of("openat"))));
        assertTrue(e.getMessage().startsWith("openat is in two families"), e.getMessage());
    }
}
