package dev.syscage.policy.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.SyscallTable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the built-in groups (arch/groups.yaml): every member names a syscall of some table or
 * another group, references have no cycle, {@code @known} is exactly the syscalls of the tables,
 * and docs/groups.md shows every group as tools/gen-groups-doc writes it.
 */
class SyscallGroupsTest {

    record Group(String description, List<String> syscalls) {}

    private static final List<String> REQUIRED = List.of(
            "aio",
            "basic-io",
            "chown",
            "clock",
            "cpu-emulation",
            "debug",
            "file-system",
            "io-event",
            "ipc",
            "keyring",
            "memlock",
            "memory",
            "module",
            "mount",
            "network-io",
            "obsolete",
            "pkey",
            "privileged",
            "process",
            "raw-io",
            "reboot",
            "resources",
            "sandbox",
            "setuid",
            "signal",
            "swap",
            "sync",
            "system-service",
            "timer",
            "known");
    private static final Path DOC = Path.of("..", "docs", "groups.md");

    private static Map<String, Group> groups;
    private static Set<String> allSyscalls;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = SyscallTable.class.getResourceAsStream("groups.yaml")) {
            assertTrue(in != null, "missing resource dev/syscage/policy/arch/groups.yaml");
            YAMLMapper yaml = YAMLMapper.builder()
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .build();
            groups = yaml.readValue(in, new TypeReference<LinkedHashMap<String, Group>>() {});
        }
        allSyscalls = new TreeSet<>();
        for (Arch arch : Arch.values()) {
            SyscallTable.of(arch).all().forEach(s -> allSyscalls.add(s.name()));
        }
    }

    @Test
    void theExpectedGroupsExistWithDescriptionsAndMembers() {
        List<String> missing =
                REQUIRED.stream().filter(n -> !groups.containsKey(n)).toList();
        assertEquals(List.of(), missing, "groups missing from groups.yaml");
        groups.forEach((name, g) -> {
            assertTrue(name.matches("[a-z][a-z0-9-]*"), "group name '" + name + "' (write it without '@')");
            assertTrue(g.description() != null && !g.description().isBlank(), name + " has no description");
            assertTrue(g.syscalls() != null && !g.syscalls().isEmpty(), name + " has no members");
            assertEquals(g.syscalls().size(), new HashSet<>(g.syscalls()).size(), name + " lists a member twice");
        });
    }

    @Test
    void everyMemberIsASyscallOfSomeTableOrAGroup() {
        List<String> unknown = new ArrayList<>();
        groups.forEach((name, g) -> {
            for (String m : g.syscalls()) {
                boolean ok = m.startsWith("@") ? groups.containsKey(m.substring(1)) : allSyscalls.contains(m);
                if (!ok) {
                    unknown.add("@" + name + ": " + m);
                }
            }
        });
        assertEquals(List.of(), unknown, "members that name no syscall and no group");
    }

    @Test
    void groupReferencesHaveNoCycle() {
        for (String name : groups.keySet()) {
            List<String> cycle = findCycle(name, new ArrayList<>());
            assertEquals(List.of(), cycle, "groups refer to each other in a cycle");
        }
    }

    @Test
    void knownIsEverySyscallOfEveryTable() {
        Set<String> known = new TreeSet<>(groups.get("known").syscalls());
        Set<String> missing = new TreeSet<>(allSyscalls);
        missing.removeAll(known);
        Set<String> extra = new TreeSet<>(known);
        extra.removeAll(allSyscalls);
        assertEquals(Set.of(), missing, "syscalls of the tables missing from @known");
        assertEquals(Set.of(), extra, "@known names syscalls no table has");
    }

    @Test
    void theProductionLoaderReadsTheSameGroups() {
        Groups shipped = Groups.shipped();
        assertEquals(List.copyOf(groups.keySet()), List.copyOf(shipped.names()));
        groups.forEach((name, g) -> {
            Groups.Group read = shipped.group(name).orElseThrow();
            assertEquals(g.syscalls(), read.members(), "@" + name + " members");
            assertEquals(g.description(), read.description(), "@" + name + " description");
        });
    }

    @Test
    void groupsExpandToSyscallsEveryArchHas() {
        Set<String> io = expand("basic-io");
        assertTrue(io.containsAll(Set.of("read", "write", "close", "_llseek")), io.toString());
        Set<String> service = expand("system-service");
        assertTrue(service.containsAll(expand("default")), "@system-service includes @default");
        assertFalse(service.contains("reboot"), "@system-service must not allow reboot");
        assertFalse(service.contains("init_module"), "@system-service must not allow module loading");
        for (Arch arch : Arch.values()) {
            SyscallTable table = SyscallTable.of(arch);
            long present = expand("network-io").stream()
                    .filter(s -> table.byName(s).isPresent())
                    .count();
            assertTrue(present >= 1, arch + " has none of @network-io");
        }
    }

    @Test
    void theDocumentShowsEveryGroupAsTheGeneratorWritesIt() throws IOException {
        assertTrue(Files.exists(DOC), DOC.toAbsolutePath() + " missing: run tools/gen-groups-doc");
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        List<String> stale = new ArrayList<>();
        groups.forEach((name, g) -> {
            if (!doc.contains(section(name, g))
                    || !doc.contains("| [`@" + name + "`](#" + name + ") | " + g.description() + " |\n")) {
                stale.add(name);
            }
        });
        assertEquals(List.of(), stale, "docs/groups.md is out of date for these groups: run tools/gen-groups-doc");
    }

    /** The same text tools/gen-groups-doc writes for one group. */
    private static String section(String name, Group g) {
        String members = g.syscalls().stream().map(m -> "`" + m + "`").collect(Collectors.joining(", "));
        return "## @" + name + "\n\n" + g.description() + "\n\nMembers: " + members + "\n";
    }

    private static List<String> findCycle(String name, List<String> path) {
        if (path.contains(name)) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(name), path.size()));
            cycle.add(name);
            return cycle;
        }
        path.add(name);
        for (String m : groups.get(name).syscalls()) {
            if (m.startsWith("@") && groups.containsKey(m.substring(1))) {
                List<String> cycle = findCycle(m.substring(1), path);
                if (!cycle.isEmpty()) {
                    return cycle;
                }
            }
        }
        path.remove(path.size() - 1);
        return List.of();
    }

    private static Set<String> expand(String name) {
        Set<String> out = new TreeSet<>();
        for (String m : groups.get(name).syscalls()) {
            if (m.startsWith("@")) {
                out.addAll(expand(m.substring(1)));
            } else {
                out.add(m);
            }
        }
        return out;
    }
}
