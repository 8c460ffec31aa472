package dev.syscage.policy.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checks the generated constant tables (tools/gen-constants) against values every Linux
 * programmer can look up, so a broken generator, a wrong header or a parse error in
 * {@link Constants} shows up as a named constant with the wrong number.
 */
class ConstantsTest {

    private static long value(Arch arch, String name) {
        OptionalLong v = Constants.of(arch).value(name);
        assertTrue(v.isPresent(), () -> name + " missing from the " + arch.yamlName() + " table");
        return v.getAsLong();
    }

    /** Values as written in the kernel headers; Long.decode reads 0x hex, 0 octal and negatives. */
    @ParameterizedTest(name = "{0} = {1} on every arch")
    @CsvSource({
        "O_RDONLY, 0",
        "O_ACCMODE, 3",
        "O_WRONLY, 1",
        "O_RDWR, 2",
        "O_CREAT, 0100",
        "O_CLOEXEC, 02000000",
        "O_NONBLOCK, 04000",
        "O_PATH, 010000000",
        "AF_UNIX, 1",
        "AF_INET, 2",
        "AF_INET6, 10",
        "AF_NETLINK, 16",
        "SOCK_STREAM, 1",
        "SOCK_CLOEXEC, 02000000",
        "SOCK_NONBLOCK, 04000",
        "CLONE_NEWUSER, 0x10000000",
        "CLONE_UNTRACED, 0x00800000",
        "CLONE_NEWNS, 0x00020000",
        "CLONE_INTO_CGROUP, 0x200000000",
        "CLONE_NEWTIME, 0x80",
        "TCGETS, 0x5401",
        "TIOCGWINSZ, 0x5413",
        "TIOCSTI, 0x5412",
        "TIOCSCTTY, 0x540E",
        "TIOCGPTN, 0x80045430",
        "FIONREAD, 0x541B",
        "FIOCLEX, 0x5451",
        "AT_FDCWD, -100",
        "AT_EMPTY_PATH, 0x1000",
        "AT_REMOVEDIR, 0x200",
        "PR_SET_NO_NEW_PRIVS, 38",
        "PR_SET_SECCOMP, 22",
        "PR_SET_NAME, 15",
        "SIGKILL, 9",
        "SIGSYS, 31",
        "SIGRTMIN, 32",
        "SECCOMP_RET_KILL_PROCESS, 0x80000000",
        "SECCOMP_RET_ERRNO, 0x00050000",
        "SECCOMP_IOCTL_NOTIF_RECV, 0xc0502100",
        "KEY_SPEC_THREAD_KEYRING, -1",
        "MAP_FIXED_NOREPLACE, 0x100000",
        "MS_ASYNC, 1",
        "MS_RDONLY, 1",
        "MS_BIND, 4096",
        "F_SETFL, 4",
        "F_OK, 0",
        "X_OK, 1",
        "P_PIDFD, 3",
        "__WALL, 0x40000000",
    })
    void wellKnownValuesAreTheSameOnEveryArch(String name, String expected) {
        for (Arch arch : Arch.values()) {
            assertEquals(Long.decode(expected), value(arch, name), name + " on " + arch.yamlName());
        }
    }

    @ParameterizedTest(name = "{0}: x86_64 {1}, i386 {2}, aarch64 {3}")
    @CsvSource({
        "O_DIRECTORY, 0200000, 0200000, 040000",
        "O_NOFOLLOW, 0400000, 0400000, 0100000",
        "O_DIRECT, 040000, 040000, 0200000",
        "O_LARGEFILE, 0100000, 0100000, 0400000",
        "FS_IOC_GETFLAGS, 0x80086601, 0x80046601, 0x80086601",
        "BLKGETSIZE64, 0x80081272, 0x80041272, 0x80081272",
        "SIGSTKSZ, 8192, 8192, 16384",
        "RLIM_INFINITY, -1, 0xffffffff, -1",
    })
    void perArchValuesComeFromTheOverrideFiles(String name, String x86, String i386, String arm64) {
        assertEquals(Long.decode(x86), value(Arch.X86_64, name), "x86_64");
        assertEquals(Long.decode(i386), value(Arch.I386, name), "i386");
        assertEquals(Long.decode(arm64), value(Arch.AARCH64, name), "aarch64");
    }

    @Test
    void x86OnlyNamesStayInEveryTable() {
        assertEquals(0x1002, value(Arch.AARCH64, "ARCH_SET_FS"));
        assertEquals(0x40, value(Arch.AARCH64, "MAP_32BIT"));
    }

    @Test
    void unknownNamesAreAbsent() {
        assertFalse(Constants.of(Arch.X86_64).value("O_RDONLYY").isPresent());
        assertFalse(Constants.of(Arch.X86_64).value("EACCES").isPresent(), "errno names live in their own table");
        assertFalse(Constants.errno("O_RDONLY").isPresent());
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "EPERM, 1",
        "ENOENT, 2",
        "EACCES, 13",
        "EINVAL, 22",
        "ENOSYS, 38",
        "EOPNOTSUPP, 95",
        "ENOTSUP, 95",
        "EAGAIN, 11",
        "EWOULDBLOCK, 11",
        "EDEADLK, 35",
        "EDEADLOCK, 35",
        "EHWPOISON, 133"
    })
    void errnoNumbers(String name, long expected) {
        assertEquals(OptionalLong.of(expected), Constants.errno(name));
    }

    @ParameterizedTest(name = "errnoName({0}) = {1}")
    @CsvSource({"1, EPERM", "11, EAGAIN", "13, EACCES", "35, EDEADLK", "95, EOPNOTSUPP", "133, EHWPOISON"})
    void errnoNamesPreferTheCanonicalSpelling(int value, String expected) {
        assertEquals(expected, Constants.errnoName(value));
    }

    @Test
    void everyErrnoNameRoundTrips() {
        Set<String> aliases = Set.of("EWOULDBLOCK", "EDEADLOCK", "ENOTSUP");
        for (String name : Constants.errnoNames()) {
            int number = (int) Constants.errno(name).getAsLong();
            String back = Constants.errnoName(number);
            assertNotNull(back, name);
            assertEquals(number, Constants.errno(back).getAsLong(), name + " -> " + back);
            if (!aliases.contains(name)) {
                assertEquals(name, back);
            }
        }
    }

    @Test
    void everyErrnoNumberUpToEhwpoisonHasAName() {
        // 41 and 58 are holes in the Linux numbering (once EWOULDBLOCK/EDEADLOCK elsewhere)
        for (int n = 1; n <= 133; n++) {
            if (n == 41 || n == 58) {
                assertNull(Constants.errnoName(n), "errno " + n);
            } else {
                assertNotNull(Constants.errnoName(n), "errno " + n);
            }
        }
        assertNull(Constants.errnoName(134));
    }

    @Test
    void x86_64IsCommonTsvAlone() {
        assertNull(Constants.class.getResource("constants/x86_64.tsv"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"i386", "aarch64"})
    void overrideFilesOnlyChangeNamesOfCommonTsv(String arch) throws IOException {
        List<String[]> rows = rows("constants/" + arch + ".tsv");
        List<String[]> common = rows("constants/common.tsv");
        Set<String> names = Constants.of(Arch.X86_64).names();
        assertFalse(rows.isEmpty(), arch + ".tsv has no overrides");
        assertEquals(common.size(), names.size(), "common.tsv lists a name twice");
        for (String[] row : rows) {
            assertTrue(names.contains(row[0]), row[0] + " in " + arch + ".tsv is not in common.tsv");
            long overridden =
                    Constants.of(Arch.byName(arch).orElseThrow()).value(row[0]).getAsLong();
            assertFalse(
                    overridden == value(Arch.X86_64, row[0]), row[0] + " in " + arch + ".tsv repeats the common value");
        }
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void tablesAreGenerous(Arch arch) {
        assertTrue(
                Constants.of(arch).names().size() > 1000,
                "only " + Constants.of(arch).names().size());
    }

    private static List<String[]> rows(String resource) throws IOException {
        List<String[]> rows = new ArrayList<>();
        try (InputStream in = Constants.class.getResourceAsStream(resource)) {
            assertNotNull(in, resource);
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    String[] f = line.split("\t");
                    assertEquals(2, f.length, resource + ": " + line);
                    rows.add(f);
                }
            }
        }
        return rows;
    }
}
