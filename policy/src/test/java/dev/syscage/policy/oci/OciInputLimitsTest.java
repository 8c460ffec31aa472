package dev.syscage.policy.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.input.InputLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 for {@code syscage import}: an OCI profile is read within the size and nesting
 * limits ({@link dev.syscage.policy.input.InputLimits}), each hit answered at once with one
 * positioned error. Before, {@code /dev/zero} ran out of heap after half a minute, and deep
 * nesting was Jackson's error with no position.
 */
class OciInputLimitsTest {
    private static final Duration BOUND = Duration.ofSeconds(5);
    private static final ImportOptions X86 = new ImportOptions(null, List.of(Arch.X86_64), "6.18", true);

    @TempDir
    Path dir;

    private static String error(Path json) {
        PolicyException e = assertThrows(
                PolicyException.class,
                () -> assertTimeoutPreemptively(BOUND, () -> OciImporter.importProfile(json, X86)));
        return e.render();
    }

    @Test
    void devZeroIsAnErrorWhereTheSizeLimitIsCrossed() {
        assertEquals(
                "/dev/zero:1:" + (InputLimits.MAX_OCI_PROFILE_BYTES + 1) + ": error: the profile is larger than"
                        + " 512 KiB, the size limit for an OCI profile; reading stopped here",
                error(Path.of("/dev/zero")).lines().findFirst().orElseThrow());
    }

    @Test
    void aProfileLargerThanTheLimitIsAnErrorOnTheLineWhereItIsCrossed() throws IOException {
        Path p = dir.resolve("big.json");
        StringBuilder sb = new StringBuilder("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n");
        String entry = "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},\n";
        while (sb.length() < 2 << 20) {
            sb.append(entry);
        }
        Files.writeString(p, sb + "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}\n");
        int head = sb.indexOf("\n") + 1;
        int line = 2 + (InputLimits.MAX_OCI_PROFILE_BYTES - head) / entry.length();
        int column = (InputLimits.MAX_OCI_PROFILE_BYTES - head) % entry.length() + 1;
        assertEquals(
                p + ":" + line + ":" + column + ": error: the profile is larger than 512 KiB, the size limit for an"
                        + " OCI profile; reading stopped here",
                error(p).lines().findFirst().orElseThrow());
    }

    @Test
    void deepNestingIsAnErrorAtTheFirstBracketPastTheLimit() throws IOException {
        Path p = dir.resolve("deep.json");
        String head = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ";
        Files.writeString(p, head + "[".repeat(100_000) + "]".repeat(100_000) + "}");
        // the object is level 1; the 32nd '[' is level 33
        assertEquals(
                p + ":1:" + (head.length() + 32) + ": error: arrays and objects nest deeper than 32 here, the"
                        + " nesting limit for an OCI profile",
                error(p).lines().findFirst().orElseThrow());
    }

    @Test
    void bracketsInsideStringsDoNotCount() throws IOException {
        Path p = dir.resolve("strings.json");
        Files.writeString(
                p,
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"],"
                        + " \"action\": \"SCMP_ACT_ERRNO\", \"comment\": \"" + "[{\\\"".repeat(100) + "\"}]}");
        String yaml = assertTimeoutPreemptively(
                BOUND, () -> OciImporter.importProfile(p, X86).yaml());
        assertEquals(true, yaml.contains("read"), yaml);
    }

    @Test
    void bytesThatAreNotUtf8AreAnErrorAtTheFirstOne() throws IOException {
        Path p = dir.resolve("bin.json");
        Files.write(p, new byte[] {'{', '\n', ' ', '"', (byte) 0xc3, '"', ':', '1', '}'});
        assertEquals(
                p + ":2:3: error: not UTF-8 text: byte 0xc3 here cannot start or continue a UTF-8 character",
                error(p).lines().findFirst().orElseThrow());
    }
}
