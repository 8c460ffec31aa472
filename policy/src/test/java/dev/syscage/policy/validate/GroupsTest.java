package dev.syscage.policy.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.SyscallIndex;
import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.group.Groups;
import dev.syscage.policy.load.Origin;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Policy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Groups} (the shipped-groups file format) and how policies use groups. */
class GroupsTest {
    private static final Groups FIXTURE = Groups.parse("fixture.yaml", """
            io:
              description: "reading and writing"
              syscalls: [read, write, "@closing"]
            closing:
              description: "closing"
              syscalls: [close, close_range]
            arm-only:
              syscalls: [renameat2, open]
            """);

    private static Policy load(String yaml) {
        return PolicyLoader.load(new Origin.Text("p.yaml", yaml), new LoadOptions(List.of(), List.of()), FIXTURE)
                .policy();
    }

    @Test
    void groupsExpandTheirReferencesInOrder() {
        assertEquals(List.of("read", "write", "close", "close_range"), FIXTURE.syscalls("io"));
        assertEquals("reading and writing", FIXTURE.group("io").orElseThrow().description());
        assertEquals(List.of("io", "closing", "arm-only"), List.copyOf(FIXTURE.names()));
        assertEquals(List.of(), FIXTURE.syscalls("nope"));
    }

    @Test
    void badGroupFilesFailWithPositions() {
        PolicyException e = assertThrows(PolicyException.class, () -> Groups.parse("g.yaml", """
                a:
                  syscalls: [read, "@b"]
                b:
                  syscalls: ["@a", "@c"]
                c:
                  syscalls: read
                  colour: red
                """));
        assertEquals(
                List.of(
                        "g.yaml:1:1: error: group cycle: @a -> @b -> @a",
                        "g.yaml:3:1: error: group 'b' refers to unknown group '@c'",
                        "g.yaml:5:1: error: group 'c' has no 'syscalls' list",
                        "g.yaml:6:3: error: group 'c': unexpected 'syscalls' (the string 'read'); expected description: STRING and syscalls: [LIST]",
                        "g.yaml:7:3: error: group 'c': unexpected 'colour' (the string 'red'); expected description: STRING and syscalls: [LIST]"),
                e.diagnostics().stream().map(Diagnostic::header).toList());
    }

    @Test
    void aPolicyUsesShippedAndItsOwnGroupsAndMembersMissingOnAnArchAreSkipped() {
        Policy p = load("""
                version: 1
                arch: [x86_64, aarch64]
                default: kill
                groups:
                  mine: ["@io", getpid]
                rules:
                  - {action: allow, syscalls: ["@mine", "@arm-only"]}
                """);
        for (Arch a : List.of(Arch.X86_64, Arch.AARCH64)) {
            for (String s : List.of("read", "write", "close", "close_range", "getpid", "renameat2")) {
                assertEquals(Action.ALLOW, PolicyLoaderTest.decide(p, a, s).action(), s + " on " + a);
            }
        }
        assertEquals(
                Action.ALLOW, PolicyLoaderTest.decide(p, Arch.X86_64, "open").action());
    }

    @Test
    void theShippedGroupsLoadAndEveryOneExpandsToKnownSyscalls() {
        Groups shipped = Groups.shipped();
        assertTrue(shipped.names().contains("basic-io"), "no @basic-io in the shipped groups");
        assertTrue(shipped.syscalls("basic-io").contains("read"));
        PolicyIndexHolder.check(shipped);
    }

    /** Every member of every shipped group, once expanded, is a syscall of some table. */
    private static final class PolicyIndexHolder {
        static void check(Groups shipped) {
            SyscallIndex index = new SyscallIndex(List.of(Arch.X86_64));
            for (String g : shipped.names()) {
                List<String> unknown = shipped.syscalls(g).stream()
                        .filter(s -> !index.known(s))
                        .toList();
                assertEquals(List.of(), unknown, "@" + g);
                assertTrue(!shipped.syscalls(g).isEmpty(), "@" + g + " is empty");
            }
        }
    }
}
