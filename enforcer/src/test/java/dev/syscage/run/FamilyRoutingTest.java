package dev.syscage.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.run.RunTest.Result;
import dev.syscage.testing.PtraceAttach;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Syscall families against the real kernel: a policy sends only {@code openat} to the supervisor,
 * with a supervise rule that denies one path, and allows {@code open} and {@code openat2} outright.
 * Opening that path with the raw {@code open} or {@code openat2} syscall must still be denied,
 * in trace mode and in notify mode, while another path opens through all three.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FamilyRoutingTest {
    @TempDir
    Path dir;

    private static Path testprog(String name) {
        return Path.of(System.getProperty("syscage.native.dir", "../native/build"), "testprogs", name)
                .toAbsolutePath();
    }

    private Path policy(Path secret) throws IOException {
        Path p = dir.resolve("openat-only.yaml");
        Files.writeString(p, """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: trace
                    syscalls: [openat]
                  - action: allow
                    syscalls: [open, openat2]
                supervise:
                  rules:
                    - syscalls: [openat]
                      path: ["%s"]
                      decision: errno EACCES
                  default: allow
                """.formatted(secret));
        return p;
    }

    @ParameterizedTest
    @ValueSource(strings = {"trace", "notify"})
    void theRawOpenAndOpenat2AreDeniedLikeOpenat(String mode) throws Exception {
        PtraceAttach.assumeModeWorks(mode);
        Path secret = Files.writeString(dir.resolve("secret.txt"), "s\n");
        Path open = Files.writeString(dir.resolve("public.txt"), "p\n");
        Result r = RunTest.syscage(
                dir,
                "run",
                "--mode",
                mode,
                "--policy",
                policy(secret).toString(),
                "--",
                testprog("family-open").toString(),
                secret.toString(),
                open.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(
                secret + " open: errno EACCES\n"
                        + secret + " openat: errno EACCES\n"
                        + secret + " openat2: errno EACCES\n"
                        + open + " open: ok\n"
                        + open + " openat: ok\n"
                        + open + " openat2: ok\n",
                r.out(),
                r.err());
    }

    @Test
    void checkNamesTheRuleThatRoutesASibling() throws Exception {
        Path p = policy(dir.resolve("secret.txt"));
        Result r = RunTest.syscage(dir, "check", "--mode", "trace", "--arch", "x86_64", p.toString(), "openat2");
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out()
                        .startsWith("openat2 (nr 437) on x86_64: trace 0\n  decided by rule #1 (" + p
                                + ":5) via openat (family open)\n"),
                r.out());
    }
}
