package dev.syscage.learn;

import static dev.syscage.run.RunTest.syscage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.syscage.auditlog.AuditLogReader;
import dev.syscage.auditlog.CallRecord;
import dev.syscage.nativeaccess.AuditNetlink;
import dev.syscage.run.RunTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code suggest} on an enforcing run's Landlock denials ({@code source: landlock}), on the real
 * kernel: the run is denied a write and a create, suggest --merge widens the policy's
 * {@code filesystem:} section, and the run passes while a directory it never touched is still
 * denied. Needs the kernel's Landlock audit (ABI 7) and root to turn the kernel audit on for the
 * test (put back after it); without them it is skipped, and {@link SuggestFilesystemTest} covers
 * the reading of the records.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SuggestLandlockAuditTest {
    @TempDir
    Path dir;

    private final AuditNetlink audit = AuditNetlink.instance();
    private int before = -1;

    @BeforeEach
    void turnTheKernelAuditOn() {
        assumeTrue(
                "root".equals(System.getProperty("user.name")),
                "turning the kernel audit on needs root (CAP_AUDIT_CONTROL): Landlock-denial logs not tested here");
        try {
            before = audit.enabled();
            assumeTrue(before != 2, "the kernel audit is locked (enabled=2): it cannot be put back after the test");
            audit.setEnabled(1);
        } catch (IOException e) {
            assumeTrue(
                    false,
                    "the kernel audit cannot be turned on (" + e.getMessage() + "): Landlock denials are not logged");
        }
    }

    @AfterEach
    void putItBack() throws IOException {
        if (before == 0 || before == 1) {
            audit.setEnabled(before);
        }
    }

    @Test
    void landlockDenialsBecomeFilesystemRules() throws Exception {
        for (String d : List.of("ok", "no", "other")) {
            Files.createDirectories(dir.resolve(d));
        }
        Files.writeString(dir.resolve("no/g"), "old\n");
        Files.writeString(dir.resolve("p.yaml"), """
                version: 1
                default: allow
                filesystem:
                  allow:
                    - paths: [/]
                      access: [read, execute]
                    - paths: [/dev/null]
                      access: [write]
                    - paths: [%s]
                      access: [read, write, create]
                """.formatted(dir.resolve("ok")));
        String writes = "echo x > %1$s/g && echo y > %1$s/f";
        Result denied = syscage(
                dir,
                "run",
                "--policy",
                "p.yaml",
                "--log",
                "denied.jsonl",
                "--",
                "sh",
                "-c",
                writes.formatted(dir.resolve("no")));
        assertNotEquals(0, denied.code(), denied.err());
        assertTrue(denied.err().contains("Permission denied"), denied.err());
        List<CallRecord> landlock = AuditLogReader.read(dir.resolve("denied.jsonl")).calls().stream()
                .filter(CallRecord::landlock)
                .toList();
        assumeTrue(
                !landlock.isEmpty(),
                "the kernel logged no Landlock denial (Landlock audit needs ABI 7, Linux 6.15):"
                        + " the reading of such records is tested by SuggestFilesystemTest");
        Result second = syscage(
                dir,
                "run",
                "--policy",
                "p.yaml",
                "--log",
                "denied2.jsonl",
                "--",
                "sh",
                "-c",
                "echo y > " + dir.resolve("no/f"));
        assertNotEquals(0, second.code(), second.err());

        // two logs, one suggestion each merged in turn: the write to g, then the create of f
        Result suggest = syscage(dir, "suggest", "--merge", "p.yaml", "-o", "fixed.yaml", "denied.jsonl");
        assertEquals(0, suggest.code(), suggest.err());
        String fixedText = Files.readString(dir.resolve("fixed.yaml"));
        assertTrue(fixedText.contains("Landlock denied (source: landlock)"), fixedText);
        assertTrue(fixedText.contains("        - " + dir.resolve("no")), fixedText);
        Result suggest2 = syscage(dir, "suggest", "--merge", "fixed.yaml", "-o", "fixed.yaml", "denied2.jsonl");
        assertEquals(0, suggest2.code(), suggest2.err());

        Result fixed =
                syscage(dir, "run", "--policy", "fixed.yaml", "--", "sh", "-c", writes.formatted(dir.resolve("no")));
        assertEquals(0, fixed.code(), fixed.err());
        assertEquals("x\n", Files.readString(dir.resolve("no/g")));
        assertEquals("y\n", Files.readString(dir.resolve("no/f")));

        Result other =
                syscage(dir, "run", "--policy", "fixed.yaml", "--", "sh", "-c", "echo y > " + dir.resolve("other/f"));
        assertNotEquals(0, other.code());
        assertTrue(other.err().contains(dir.resolve("other/f") + ": Permission denied"), other.err());
        assertFalse(Files.exists(dir.resolve("other/f")));
    }
}
