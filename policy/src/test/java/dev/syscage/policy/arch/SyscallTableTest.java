package dev.syscage.policy.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Checks the shipped syscall tables: they load, have no duplicates, agree with well-known numbers
 * and with this machine's uapi headers, and every parameter type gets the width the kernel uses.
 */
class SyscallTableTest {

    private static final Path UNISTD_64 = Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
    private static final Path UNISTD_32 = Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_32.h");
    private static final Pattern NR_DEFINE = Pattern.compile("^#define __NR_(\\w+)\\s+(\\d+)\\s*$", Pattern.MULTILINE);

    /** Calls added after Linux 6.1 that every table must have (the headers here are 6.1). */
    private static final List<String> NEWER_THAN_6_1 = List.of(
            "cachestat",
            "fchmodat2",
            "map_shadow_stack",
            "futex_wake",
            "futex_wait",
            "futex_requeue",
            "statmount",
            "listmount",
            "lsm_get_self_attr",
            "lsm_set_self_attr",
            "lsm_list_modules",
            "mseal",
            "setxattrat",
            "getxattrat",
            "listxattrat",
            "removexattrat",
            "open_tree_attr",
            "file_getattr",
            "file_setattr");

    @ParameterizedTest
    @EnumSource(Arch.class)
    void everyTableLoadsWithParametersForItsCalls(Arch arch) {
        SyscallTable table = SyscallTable.of(arch);
        assertTrue(table.all().size() > 300, arch + " has only " + table.all().size() + " syscalls");
        for (Syscall s : table.all()) {
            assertTrue(s.params().size() <= 6, s.name() + " has more than 6 parameters");
            Set<String> names = new HashSet<>();
            for (Param p : s.params()) {
                assertTrue(p.name().matches("[A-Za-z_]\\w*"), arch + " " + s.name() + ": bad name " + p);
                assertTrue(!p.ctype().isBlank() && !p.ctype().contains("__user"), arch + " " + s.name() + ": " + p);
                assertTrue(names.add(p.name()), arch + " " + s.name() + ": parameter " + p.name() + " twice");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void noNameOrNumberAppearsTwice(Arch arch) throws IOException {
        Map<String, Integer> names = new HashMap<>();
        Map<Integer, String> numbers = new HashMap<>();
        List<String> duplicates = new ArrayList<>();
        for (String[] row : rawRows(arch)) {
            int nr = Integer.parseInt(row[0]);
            if (names.put(row[1], nr) != null) {
                duplicates.add("name " + row[1]);
            }
            if (numbers.put(nr, row[1]) != null) {
                duplicates.add("number " + nr);
            }
        }
        assertEquals(List.of(), duplicates, arch + " table has duplicates");
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void callsNewerThanTheLocalHeadersArePresent(Arch arch) {
        SyscallTable table = SyscallTable.of(arch);
        List<String> missing =
                NEWER_THAN_6_1.stream().filter(n -> table.byName(n).isEmpty()).toList();
        assertEquals(List.of(), missing, arch + " lacks calls added after 6.1");
        assertEquals(469, number(arch, "file_setattr"));
    }

    @Test
    void wellKnownNumbers() {
        assertEquals(0, number(Arch.X86_64, "read"));
        assertEquals(257, number(Arch.X86_64, "openat"));
        assertEquals(435, number(Arch.X86_64, "clone3"));
        assertEquals(462, number(Arch.X86_64, "mseal"));
        assertEquals(335, number(Arch.X86_64, "uretprobe"));
        assertEquals(56, number(Arch.AARCH64, "openat"));
        assertEquals(63, number(Arch.AARCH64, "read"));
        assertEquals(102, number(Arch.I386, "socketcall"));
        assertEquals(5, number(Arch.I386, "open"));
        assertEquals(
                "openat",
                SyscallTable.of(Arch.X86_64).byNumber(257).orElseThrow().name());
    }

    @Test
    void archSpecificCallsStayOnTheirArch() {
        assertTrue(SyscallTable.of(Arch.X86_64).byName("socketcall").isEmpty());
        assertTrue(SyscallTable.of(Arch.AARCH64).byName("open").isEmpty(), "arm64 has only openat");
        assertTrue(SyscallTable.of(Arch.I386).byName("uretprobe").isEmpty());
        assertTrue(SyscallTable.of(Arch.X86_64).all().stream().allMatch(s -> s.nr() < 512), "x32 rows leaked in");
    }

    @Test
    void openatWidthsFollowTheCTypes() {
        Syscall x64 = SyscallTable.of(Arch.X86_64).byName("openat").orElseThrow();
        assertEquals(32, x64.param("flags").orElseThrow().width());
        assertEquals(16, x64.param("mode").orElseThrow().width());
        assertEquals(64, x64.param("filename").orElseThrow().width());
        assertEquals(32, x64.param("dfd").orElseThrow().width());
        Syscall i386 = SyscallTable.of(Arch.I386).byName("openat").orElseThrow();
        assertEquals(32, i386.param("filename").orElseThrow().width());
        assertEquals(16, i386.param("mode").orElseThrow().width());
        assertEquals(x64.param("flags").orElseThrow(), x64.param("arg2").orElseThrow());
    }

    @Test
    void i386PrototypesUseOneRegisterPerParameter() {
        SyscallTable table = SyscallTable.of(Arch.I386);
        Syscall pread = table.byName("pread64").orElseThrow();
        assertEquals(
                List.of("fd", "ubuf", "count", "poslo", "poshi"),
                pread.params().stream().map(Param::name).toList());
        assertEquals(
                16,
                table.byName("setuid").orElseThrow().param("uid").orElseThrow().width(),
                "uid16 call");
        assertEquals(
                32,
                table.byName("setuid32")
                        .orElseThrow()
                        .param("uid")
                        .orElseThrow()
                        .width());
        for (Syscall s : table.all()) {
            for (Param p : s.params()) {
                assertTrue(
                        !Set.of("loff_t", "u64", "__u64").contains(p.ctype()),
                        "i386 " + s.name() + " has a 64-bit parameter " + p + "; split it into two registers");
            }
        }
    }

    /** The width each non-pointer type must get, written here independently of {@link Param}. */
    @ParameterizedTest
    @EnumSource(Arch.class)
    void everyParameterTypeHasTheWidthTheKernelUses(Arch arch) {
        int reg = arch.registerBits();
        Map<String, Integer> expected = new HashMap<>();
        for (String t : List.of(
                "int",
                "unsigned int",
                "unsigned",
                "u32",
                "__u32",
                "__s32",
                "pid_t",
                "uid_t",
                "gid_t",
                "qid_t",
                "clockid_t",
                "timer_t",
                "mqd_t",
                "key_serial_t",
                "rwf_t",
                "key_t",
                "enum landlock_rule_type")) {
            expected.put(t, 32);
        }
        for (String t : List.of("umode_t", "old_uid_t", "old_gid_t")) {
            expected.put(t, 16);
        }
        for (String t : List.of(
                "long",
                "unsigned long",
                "size_t",
                "off_t",
                "aio_context_t",
                "old_sigset_t",
                "cap_user_header_t",
                "cap_user_data_t",
                "__sighandler_t")) {
            expected.put(t, reg);
        }
        if (reg == 64) {
            expected.put("loff_t", 64);
            expected.put("__u64", 64);
        }
        Map<String, String> wrong = new TreeMap<>();
        for (Syscall s : SyscallTable.of(arch).all()) {
            for (Param p : s.params()) {
                String t = p.ctype().replace("const ", "").trim();
                int want = t.contains("*") ? reg : expected.getOrDefault(t, -1);
                if (p.width() != want) {
                    wrong.put(s.name() + "." + p.name(), t + ": width " + p.width() + ", want " + want);
                }
            }
        }
        assertEquals(Map.of(), wrong, arch + ": parameters with an unexpected width (-1: type unknown to this test)");
    }

    @Test
    void x86_64AgreesWithTheInstalledHeaders() throws IOException {
        assumeTrue(Files.exists(UNISTD_64), UNISTD_64 + " not installed (linux-libc-dev); header comparison skipped");
        assertAgreesWithHeader(Arch.X86_64, UNISTD_64);
    }

    @Test
    void i386AgreesWithTheInstalledHeaders() throws IOException {
        assumeTrue(Files.exists(UNISTD_32), UNISTD_32 + " not installed (linux-libc-dev); header comparison skipped");
        assertAgreesWithHeader(Arch.I386, UNISTD_32);
    }

    private static void assertAgreesWithHeader(Arch arch, Path header) throws IOException {
        Matcher m = NR_DEFINE.matcher(Files.readString(header));
        Map<String, String> wrong = new TreeMap<>();
        int seen = 0;
        while (m.find()) {
            seen++;
            String name = m.group(1);
            int nr = Integer.parseInt(m.group(2));
            SyscallTable table = SyscallTable.of(arch);
            String got = table.byName(name).map(s -> String.valueOf(s.nr())).orElse("missing");
            if (!got.equals(String.valueOf(nr))) {
                wrong.put(name, "header " + nr + ", table " + got);
            }
        }
        assertTrue(seen > 300, header + " has only " + seen + " __NR_ lines");
        assertEquals(Map.of(), wrong, arch + " disagrees with " + header);
    }

    private static int number(Arch arch, String name) {
        return SyscallTable.of(arch)
                .byName(name)
                .orElseThrow(() -> new AssertionError(arch + " has no " + name))
                .nr();
    }

    private static List<String[]> rawRows(Arch arch) throws IOException {
        String res = "syscalls/" + arch.yamlName() + ".tsv";
        try (InputStream in = SyscallTable.class.getResourceAsStream(res)) {
            assertTrue(in != null, "missing resource " + res);
            List<String[]> rows = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    rows.add(line.split("\t", -1));
                }
            }
            return rows;
        }
    }
}
