package dev.syscage.learn;

import static dev.syscage.run.RunTest.syscage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.run.RunTest.Result;
import dev.syscage.testing.PtraceAttach;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code syscage learn} end to end: learn from a real workload, then run under what was learned. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LearnTest {
    private static final String WORKLOAD = "ls /etc > /dev/null; cat /etc/hostname; python3 -c 'print(1)'";
    private static final Pattern SUMMARY =
            Pattern.compile("saw (\\d+) distinct syscalls \\((\\d+) calls\\) and (\\d+) distinct paths");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"trace", "notify"})
    void aLearnedProfileRunsTheWorkloadAndDeniesWhatItNeverDid(String mode) throws Exception {
        if (mode.equals("trace")) {
            PtraceAttach.assumeTraceModeWorks();
        }
        Result learn = syscage(dir, "learn", "--mode", mode, "-o", "learned.yaml", "--", "sh", "-c", WORKLOAD);
        assertEquals(0, learn.code(), learn.err());
        String expected = Files.readString(Path.of("/etc/hostname")) + "1\n";
        assertEquals(expected, learn.out());
        Matcher m = SUMMARY.matcher(learn.err());
        assertTrue(m.find(), learn.err());
        assertTrue(
                Integer.parseInt(m.group(1)) > 20, "a shell, ls, cat and python make more than 20 distinct syscalls");
        assertTrue(Integer.parseInt(m.group(3)) > 5, "they name /etc, /etc/hostname, python's modules, ...");
        String yaml = Files.readString(dir.resolve("learned.yaml"));
        assertTrue(yaml.contains("default: errno EPERM"), yaml);
        assertTrue(yaml.contains("description: \"learned from: sh -c " + WORKLOAD + " on "), yaml);
        assertFalse(yaml.matches("(?s).*- mkdir\\b.*"), "the workload never made mkdir:\n" + yaml);

        Result again = syscage(dir, "run", "--policy", "learned.yaml", "--", "sh", "-c", WORKLOAD);
        assertEquals(0, again.code(), again.err());
        assertEquals(expected, again.out());

        Path made = dir.resolve("made");
        Result mkdir = syscage(dir, "run", "--policy", "learned.yaml", "--", "mkdir", made.toString());
        assertEquals(1, mkdir.code(), mkdir.err());
        assertTrue(mkdir.err().contains("Operation not permitted"), mkdir.err());
        assertFalse(Files.exists(made));
    }

    /** The two ways of receiving the calls see the same program: the same syscalls are learned. */
    @Test
    void traceAndNotifyModeLearnTheSameSyscalls() throws Exception {
        PtraceAttach.assumeTraceModeWorks();
        String program = "cat /etc/hostname > /dev/null; ls / > /dev/null";
        assertEquals(
                0,
                syscage(dir, "learn", "--mode", "trace", "-o", "t.yaml", "--", "sh", "-c", program)
                        .code());
        assertEquals(
                0,
                syscage(dir, "learn", "--mode", "notify", "-o", "n.yaml", "--", "sh", "-c", program)
                        .code());
        assertEquals(learnedNames(dir.resolve("t.yaml")), learnedNames(dir.resolve("n.yaml")));
    }

    @Test
    void anUnknownModeIsBadInput() throws Exception {
        Result r = syscage(dir, "learn", "--mode", "carrier-pigeon", "-o", "x.yaml", "--", "true");
        assertEquals(2, r.code(), r.err());
        assertTrue(
                r.err().contains("unknown --mode 'carrier-pigeon' (choose trace or notify); nothing was run"), r.err());
    }

    /** The syscall names a learned profile allows ("- name   # N calls" lines). */
    private static java.util.Set<String> learnedNames(Path profile) throws java.io.IOException {
        java.util.Set<String> names = new java.util.TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\s+- (\\w+) +#").matcher(Files.readString(profile));
        while (m.find()) {
            names.add(m.group(1));
        }
        assertTrue(names.size() > 10, "too few names in " + profile + ": " + names);
        return names;
    }

    @Test
    void aFailingProgramStillGetsItsProfileWithTheEssentials() throws Exception {
        Result learn = syscage(dir, "learn", "-o", "fail.yaml", "--", "sh", "-c", "exit 3");
        assertEquals(0, learn.code(), learn.err());
        assertTrue(learn.err().contains("warning: sh failed (exit status 3)"), learn.err());
        assertTrue(SUMMARY.matcher(learn.err()).find(), learn.err());
        String yaml = Files.readString(dir.resolve("fail.yaml"));
        for (String essential : ProfileWriter.ESSENTIALS) {
            assertTrue(
                    Pattern.compile("- " + essential + " +#").matcher(yaml).find(), essential + " missing:\n" + yaml);
        }
        assertTrue(
                Pattern.compile("- execve +# 1 call\n").matcher(yaml).find(),
                "the launcher's execve is the first seen:\n" + yaml);
        assertFalse(yaml.contains("- prctl"), "the launcher's PR_GET_SECCOMP check is not the program's:\n" + yaml);
        assertEquals(
                3,
                syscage(dir, "run", "--policy", "fail.yaml", "--", "sh", "-c", "exit 3")
                        .code());
    }

    @Test
    void argsAddConditionsAndKeepThoseSyscallsOutOfTheUnconditionalList() throws Exception {
        String py = "import socket; socket.socket(socket.AF_UNIX).close(); socket.socket(socket.AF_INET).close()";
        Result learn = syscage(dir, "learn", "--args", "-o", "net.yaml", "--", "python3", "-c", py);
        assertEquals(0, learn.code(), learn.err());
        String yaml = Files.readString(dir.resolve("net.yaml"));
        assertTrue(
                yaml.contains(
                        "  - action: allow\n    syscalls: [socket]\n    when: \"domain in {AF_UNIX, AF_INET}\"\n"),
                yaml);
        assertFalse(yaml.contains("- socket "), "socket must not also be allowed for every domain:\n" + yaml);
        assertEquals(
                0,
                syscage(dir, "run", "--policy", "net.yaml", "--", "python3", "-c", py)
                        .code());
        Result inet6 = syscage(
                dir,
                "run",
                "--policy",
                "net.yaml",
                "--",
                "python3",
                "-c",
                "import socket; socket.socket(socket.AF_INET6)");
        assertTrue(inet6.err().contains("PermissionError"), inet6.err());
    }

    @Test
    void mergeKeepsTheExistingUnconditionalAllowsOnly() throws Exception {
        Files.writeString(dir.resolve("old.yaml"), """
                version: 1
                default: errno EPERM
                rules:
                  - action: allow
                    syscalls: [mkdir, rmdir]
                  - action: allow
                    syscalls: [ioctl]
                    when: "request == TCGETS"
                """);
        Result learn = syscage(dir, "learn", "--merge", "old.yaml", "-o", "new.yaml", "--", "true");
        assertEquals(0, learn.code(), learn.err());
        String yaml = Files.readString(dir.resolve("new.yaml"));
        assertTrue(yaml.contains("- mkdir") && yaml.contains("- rmdir"), yaml);
        assertTrue(yaml.contains("# from old.yaml"), yaml);
        assertTrue(
                learn.err()
                        .contains("old.yaml allows these only under conditions, which are not carried over,"
                                + " and this run did not make them: ioctl"),
                learn.err());
        assertFalse(yaml.contains("- ioctl"), "a conditional allow is not widened to an unconditional one:\n" + yaml);
    }
}
