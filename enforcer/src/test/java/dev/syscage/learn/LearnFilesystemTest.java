package dev.syscage.learn;

import static dev.syscage.run.RunTest.syscage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.nativeaccess.KernelLandlock;
import dev.syscage.nativeaccess.Landlock;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.landlock.FsAccess;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.LandlockRuleset.PathRule;
import dev.syscage.policy.landlock.Scope;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import dev.syscage.run.RunTest.Result;
import dev.syscage.testing.PtraceAttach;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code learn} writes a {@code filesystem:} section from what the program did to files, and
 * {@code run} under the learned profile lets the program do it again and nothing else: a write
 * where it did not write during learning fails with EACCES. Kernel-backed end to end; only the
 * denial needs Landlock (where the kernel has none, {@code landlock: best-effort} runs without it).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LearnFilesystemTest {
    /** Reads /etc, makes a directory and writes a file in it, lists /usr/bin: {@code %s} is the directory written. */
    private static final String PROGRAM =
            "set -e; cat /etc/hostname; mkdir -p %1$s/out; echo x > %1$s/out/f; ls /usr/bin > /dev/null";

    /** Where the tests write: under /tmp (the learned rule is optional there), made fresh for each test. */
    private Path work;

    private Path learned;
    private Path out;

    @BeforeEach
    void makeDirs() throws IOException {
        work = Files.createTempDirectory(Path.of("/tmp"), "learn-fs-").toRealPath();
        out = Files.createDirectory(work.resolve("written"));
        learned = work.resolve("learned.yaml");
    }

    @AfterEach
    void removeDirs() throws IOException {
        try (Stream<Path> s = Files.walk(work)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static String program(Path dir) {
        return String.format(PROGRAM, dir);
    }

    private Result learn(String mode, String program) throws Exception {
        Result r = syscage(work, "learn", "--mode", mode, "-o", learned.toString(), "--", "sh", "-c", program);
        assertEquals(0, r.code(), r.err());
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {"trace", "notify"})
    void aLearnedProfileConfinesPathsToWhatTheProgramTouchedAndRunsIt(String mode) throws Exception {
        PtraceAttach.assumeModeWorks(mode);
        String expected = Files.readString(Path.of("/etc/hostname"));
        Result first = learn(mode, program(out));
        assertEquals(expected, first.out());
        assertTrue(first.err().matches("(?s).*wrote \\S+ with \\d+ file-system path rule\\(s\\).*"), first.err());
        String yaml = Files.readString(learned);

        assertTrue(yaml.contains("\nlandlock: best-effort\nfilesystem:\n  allow:\n"), yaml);
        assertTrue(yaml.contains("\nscope: [signal, abstract-unix-socket] "), yaml);
        // /etc and /usr, read and executed as shipped (sh, cat, ls and their libraries are in /usr)
        assertTrue(
                yaml.matches(
                        "(?s).*- paths:\n(\\s+- /\\S+ +#[^\n]*\n)*\\s+- /etc +# \\d+ access(es)?[^\n]*; system tree\n"
                                + "(\\s+- /\\S+ +#[^\n]*\n)*\\s+access: \\[read, execute\\]\n.*"),
                yaml);
        // the directory written into, which was there before: not the one the run made beneath it
        assertTrue(
                yaml.contains("        - " + out + " ")
                        && yaml.matches(
                                "(?s).*- " + out
                                        + " +# \\d+ accesses to 3 paths\n      access: \\[write, create\\]\n      optional: true .*"),
                yaml);
        assertFalse(
                yaml.contains("- " + out + "/out"),
                "a rule on a directory the run made could not be bound next time:\n" + yaml);
        assertTrue(yaml.matches("(?s).*        - /dev/null +# [^\n]*\n      access: \\[write[^\n]*\n.*"), yaml);

        LandlockRuleset r = PolicyLoader.load(learned, LoadOptions.defaults().withArches(List.of(Arch.nativeArch())))
                .landlock();
        assertEquals(FsAccess.ALL, r.handledFs());
        assertEquals(Scope.ALL, r.scoped());
        PathRule written = r.paths().stream()
                .filter(p -> p.path().equals(out.toString()))
                .findFirst()
                .orElseThrow();
        assertEquals(FsAccess.WRITE_FILE | FsAccess.TRUNCATE | FsAccess.WORDS.get("create"), written.access());
        assertTrue(written.optional());

        Result again = syscage(work, "run", "--policy", learned.toString(), "--", "sh", "-c", program(out));
        assertEquals(0, again.code(), again.err());
        assertEquals(expected, again.out());
        if (Landlock.instance().abi() >= r.abiNeeded()) {
            assertFalse(
                    again.err().contains("Landlock"),
                    "every path of the profile is there, every right enforced:\n" + again.err());
        }
        assertEquals("x\n", Files.readString(out.resolve("out/f")));
    }

    @Test
    void writingWhereTheLearningRunDidNotWriteFailsWithEacces() throws Exception {
        KernelLandlock.abiOrSkip();
        learn("notify", program(out));
        Path elsewhere = Files.createDirectories(work.resolve("elsewhere/out"));
        Result r =
                syscage(work, "run", "--policy", learned.toString(), "--", "sh", "-c", program(elsewhere.getParent()));
        assertNotEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("cannot create " + elsewhere + "/f: Permission denied"), r.err());
        assertFalse(Files.exists(elsewhere.resolve("f")));
        // and reading outside what was read: the profile's own directory, never read while learning
        Result cat = syscage(work, "run", "--policy", learned.toString(), "--", "sh", "-c", "cat " + learned);
        assertTrue(cat.err().contains(learned + ": Permission denied"), cat.err());
    }

    @Test
    void aProgramThatSignalsItsParentIsNotScopedFromSignalsAndRunsAgain() throws Exception {
        KernelLandlock.abiOrSkip();
        learn("notify", "kill -0 $PPID && echo signalled");
        String yaml = Files.readString(learned);
        assertTrue(
                yaml.contains(
                        "# Not scoped: it signalled a process outside its own tree.\nscope: [abstract-unix-socket] "),
                yaml);
        Result again = syscage(
                work, "run", "--policy", learned.toString(), "--", "sh", "-c", "kill -0 $PPID && echo signalled");
        assertEquals(0, again.code(), again.err());
        assertEquals("signalled\n", again.out());
        // a program that signals only itself keeps the scope, which then refuses the parent (syscage)
        learn("notify", "kill -0 $$ && echo signalled");
        assertTrue(Files.readString(learned).contains("\nscope: [signal, abstract-unix-socket] "));
        Result parent = syscage(
                work, "run", "--policy", learned.toString(), "--", "sh", "-c", "kill -0 $PPID && echo signalled");
        assertNotEquals(0, parent.code());
        assertEquals("", parent.out());
        assertTrue(parent.err().contains("kill: Operation not permitted"), parent.err());
    }

    @Test
    void mergeCarriesTheFileSystemRulesOfTheExistingProfileOver() throws Exception {
        Files.writeString(work.resolve("old.yaml"), """
                version: 1
                default: errno EPERM
                rules:
                  - action: allow
                    syscalls: [mkdir]
                filesystem:
                  allow:
                    - paths: [%s]
                      access: [read, write]
                scope: [signal]
                """.formatted(out));
        Result r = syscage(work, "learn", "--merge", "old.yaml", "-o", learned.toString(), "--", "true");
        assertEquals(0, r.code(), r.err());
        String yaml = Files.readString(learned);
        assertTrue(
                yaml.matches("(?s).*    - paths:\n        - " + out
                        + " +# from old.yaml\n      access: \\[read, write\\]\n.*"),
                yaml);
        assertTrue(
                yaml.contains("# Not scoped: old.yaml does not scope abstract-unix-socket.\nscope: [signal] "), yaml);
        assertTrue(yaml.contains("- mkdir"), yaml);
        LandlockRuleset ruleset = PolicyLoader.load(
                        learned, LoadOptions.defaults().withArches(List.of(Arch.nativeArch())))
                .landlock();
        assertTrue(ruleset.paths().stream().anyMatch(p -> p.path().equals(out.toString())), ruleset.toString());
        Result run = syscage(work, "run", "--policy", learned.toString(), "--", "true");
        assertEquals(0, run.code(), run.err());
    }
}
