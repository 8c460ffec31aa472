package dev.syscage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.syscage.policy.input.InputLimits;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rows of issue 15's table through the CLI, in process: each input is answered with exit
 * 2 and one error naming the limit and the place, within 5 s, with no stack trace. Before:
 * exit 1 with StackOverflowError, exit 1 with OutOfMemoryError after 26 s, minutes, a hang.
 */
class HostileInputCliTest {
    private static final Duration BOUND = Duration.ofSeconds(5);
    private static final String HEAD = "version: 1\narch: x86_64\ndefault: allow\n";

    @TempDir
    Path dir;

    /** The syscall tables and constants load once, outside the bound. */
    @BeforeAll
    static void warmUp() throws IOException {
        Path p = Files.createTempFile("warm", ".yaml");
        try {
            Files.writeString(p, HEAD);
            assertEquals(
                    0, CliTest.run("compile", p.toString(), "-o", "/dev/null").code());
        } finally {
            Files.delete(p);
        }
    }

    /** Runs the CLI within the bound; exit 2, no stack trace; the first line of standard error. */
    private static String refused(String... args) {
        CliTest.Run r = assertTimeoutPreemptively(BOUND, () -> CliTest.run(args));
        assertEquals(2, r.code(), r.err());
        assertFalse(
                r.err().contains("Exception")
                        || r.err().contains("Error:")
                        || r.err().contains("\tat "),
                r.err());
        return r.err().lines().findFirst().orElseThrow();
    }

    private Path policy(String name, String when) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(
                p, HEAD + "rules:\n  - action: errno EPERM\n    syscalls: [openat]\n    when: \"" + when + "\"\n");
        return p;
    }

    @Test
    void twoThousandNestedParentheses() throws IOException {
        Path p = policy("p.yaml", "(".repeat(2000) + "flags == 0" + ")".repeat(2000));
        assertEquals(
                p + ":7:76: error: the condition nests deeper than 64 here (parentheses, '!' and '~'), the nesting"
                        + " limit for conditions",
                refused("compile", p.toString(), "-o", dir.resolve("p.bpf").toString()));
    }

    @Test
    void twentyThousandNots() throws IOException {
        Path p = policy("n.yaml", "!".repeat(20_000) + "flags");
        assertEquals(
                p + ":7:10001: error: line 7 is longer than 10000 characters, the line length limit",
                refused("check", p.toString(), "openat"));
    }

    @Test
    void includeDevZero() throws IOException {
        Path p = dir.resolve("z.yaml");
        Files.writeString(p, HEAD + "include: [\"/dev/zero\"]\n");
        assertEquals(
                p + ":4:11: error: included file /dev/zero is not a regular file (a device, FIFO or socket)",
                refused("compile", p.toString(), "-o", dir.resolve("z.bpf").toString()));
    }

    @Test
    void oneTwentyMegabyteLine() throws IOException {
        Path p = dir.resolve("big.yaml");
        try (OutputStream out = Files.newOutputStream(p)) {
            out.write((HEAD + "description: ").getBytes(StandardCharsets.UTF_8));
            byte[] chunk = "a".repeat(1 << 20).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 20; i++) {
                out.write(chunk);
            }
            out.write('\n');
        }
        assertEquals(
                p + ":4:" + (InputLimits.MAX_POLICY_BYTES - HEAD.length() + 1) + ": error: the policy is larger"
                        + " than 512 KiB, the size limit for a policy with everything it includes; reading stopped here",
                refused("disasm", p.toString()));
    }

    @Test
    void disasmOfDevZero() {
        assertEquals(
                "syscage: /dev/zero: more than 4096 instructions (32768 bytes), the most the kernel accepts;"
                        + " reading stopped at byte 32769",
                refused("disasm", "--bpf", "/dev/zero"));
    }

    @Test
    void importOfDevZero() {
        assertEquals(
                "/dev/zero:1:" + (InputLimits.MAX_OCI_PROFILE_BYTES + 1) + ": error: the profile is larger than"
                        + " 512 KiB, the size limit for an OCI profile; reading stopped here",
                refused("import", "/dev/zero"));
    }

    @Test
    void frequencyFromDevZero() throws IOException {
        Path p = dir.resolve("ok.yaml");
        Files.writeString(p, HEAD);
        assertEquals(
                "syscage: /dev/zero: larger than 1 MiB, the size limit for a frequency file",
                refused(
                        "compile",
                        p.toString(),
                        "--frequency",
                        "/dev/zero",
                        "-o",
                        dir.resolve("ok.bpf").toString()));
    }
}
