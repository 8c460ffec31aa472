package dev.syscage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One set of lints for every command that loads a policy: what {@code run --dry-run} says, the others say too. */
class CliLintTest {
    @TempDir
    Path dir;

    /** Lets io_uring through while restricting openat (the io_uring lint), and kills execve (a launcher lint error). */
    private static final String POLICY = """
            version: 1
            name: lints
            arch: x86_64
            default: allow
            rules:
              - action: errno EACCES
                syscalls: [openat]
                when: "(flags & O_ACCMODE) != O_RDONLY"
            """;

    private static final String IO_URING = ":4:10: warning: policy lets io_uring_setup through but restricts openat:"
            + " io_uring performs opens and connects without syscalls, out of seccomp's reach: deny io_uring_setup"
            + " (errno ENOSYS)";

    @Test
    void compileCheckDisasmAndExportShowTheLintsRunShows() throws IOException {
        Path p = dir.resolve("p.yaml");
        Files.writeString(p, POLICY);
        CliTest.Run dry = CliTest.run("run", "--policy", p.toString(), "--dry-run", "--", "true");
        assertEquals(List.of(p + IO_URING), diagnostics(dry.err()), dry.err());
        for (String[] args : List.of(
                new String[] {"compile", p.toString(), "--format", "disasm"},
                new String[] {"check", p.toString(), "read"},
                new String[] {"disasm", p.toString()},
                new String[] {"export", p.toString()})) {
            CliTest.Run r = CliTest.run(args);
            assertEquals(0, r.code(), args[0] + ": " + r.err());
            List<String> shown = diagnostics(r.err());
            if (args[0].equals("export")) {
                // export adds what OCI runtimes need (RuntimeLint): this policy's openat rule stops runc's exec fifo
                assertTrue(
                        shown.remove(p + ":6:5: warning: runc calls openat(AT_FDCWD, \"/proc/self/fd/N\","
                                + " O_WRONLY|O_CLOEXEC) to open its exec fifo after installing the profile, and the policy answers"
                                + " errno EACCES (rule #1 (" + p + ":6)): runc would not start the container"),
                        r.err());
            }
            assertEquals(diagnostics(dry.err()), shown, args[0] + ": " + r.err());
        }
    }

    @Test
    void minusWNoneSilencesTheWarnings() throws IOException {
        Path p = dir.resolve("p.yaml");
        Files.writeString(p, POLICY + "  - action: allow\n    syscalls: [openat]\n    when: \"flags == 0\"\n");
        for (String[] args : List.of(
                new String[] {"compile", "-W", "none", p.toString(), "--format", "disasm"},
                new String[] {"check", p.toString(), "read", "-W", "none"},
                new String[] {"disasm", "--warnings", "none", p.toString()},
                new String[] {"run", "-W", "none", "--policy", p.toString(), "--dry-run", "--", "true"})) {
            CliTest.Run r = CliTest.run(args);
            assertEquals(0, r.code(), args[0] + ": " + r.err());
            assertEquals("", r.err(), args[0]);
            assertTrue(
                    CliTest.run(Arrays.stream(args)
                                    .filter(a -> !a.equals("-W") && !a.equals("--warnings") && !a.equals("none"))
                                    .toArray(String[]::new))
                            .err()
                            .contains("warning: "),
                    args[0]);
        }
    }

    @Test
    void minusWErrorStopsBeforeAnythingIsWrittenOrRun() throws IOException {
        Path p = dir.resolve("p.yaml");
        Files.writeString(p, POLICY);
        Path out = dir.resolve("p.bpf");
        CliTest.Run compile = CliTest.run("compile", p.toString(), "-o", out.toString(), "-W", "error");
        assertEquals(ExitCodes.BAD_INPUT, compile.code(), compile.err());
        assertTrue(
                compile.err().startsWith(p + IO_URING.replace("warning: ", "error: ") + " (-W error)\n"),
                compile.err());
        assertTrue(compile.err().endsWith("1 error\n"), compile.err());
        assertTrue(!Files.exists(out), "compile wrote its output");
        Path stamp = dir.resolve("ran");
        CliTest.Run run = CliTest.run("run", "-W", "error", "--policy", p.toString(), "--", "touch", stamp.toString());
        assertEquals(ExitCodes.BAD_INPUT, run.code(), run.err());
        assertTrue(!Files.exists(stamp), "the program ran");
        CliTest.Run bad = CliTest.run("check", p.toString(), "read", "-W", "loud");
        assertEquals(ExitCodes.BAD_INPUT, bad.code());
        assertEquals("syscage: unknown -W 'loud' (choose show, none or error)\n", bad.err());
    }

    @Test
    void anErrorThatStopsRunIsAWarningWhereNothingIsStarted() throws IOException {
        Path p = dir.resolve("p.yaml");
        Files.writeString(
                p,
                POLICY.replace("default: allow", "default: allow\nbad_arch: kill")
                        .replace("rules:\n", "rules:\n  - action: kill\n    syscalls: [execve]\n"));
        CliTest.Run dry = CliTest.run("run", "--policy", p.toString(), "--dry-run", "--", "true");
        assertEquals(ExitCodes.BAD_INPUT, dry.code(), dry.err());
        assertTrue(dry.err().contains(p + ":7:5: error: policy kills execve: the program could not start"), dry.err());
        CliTest.Run compile = CliTest.run("compile", p.toString(), "--format", "disasm");
        assertEquals(0, compile.code(), compile.err());
        assertTrue(
                compile.err()
                        .contains(p + ":7:5: warning: policy kills execve: the program could not start"
                                + " (syscage run refuses to start it)"),
                compile.err());
    }

    /** {@code profiles} and {@code profiles show} lint each profile they load (here its include is replaced). */
    @Test
    void profilesShowTheLints() throws IOException {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Files.writeString(lib.resolve("default.yaml"), """
                version: 1
                name: default
                default: allow
                rules:
                  - action: kill
                    syscalls: [execve]
                """);
        String kills = lib.resolve("default.yaml") + ":5:5: warning: policy kills execve: the program could not start"
                + " (syscage run refuses to start it)";
        CliTest.Run show = CliTest.run("profiles", "show", "no-network", "--profile-path", lib.toString());
        assertEquals(0, show.code(), show.err());
        assertTrue(diagnostics(show.err()).contains(kills), show.err());
        CliTest.Run list = CliTest.run("profiles", "--profile-path", lib.toString());
        assertEquals(0, list.code(), list.err());
        assertTrue(diagnostics(list.err()).contains(kills), list.err());
        assertEquals(
                List.of(),
                diagnostics(CliTest.run("profiles", "show", "no-network").err()));
    }

    /**
     * {@code learn} lints the profile it wrote: learned from a static busybox (no openat) and merged
     * with a base that allows io_uring, it gets the io_uring lint and the start-up lint, placed in
     * the written file.
     */
    @Test
    void learnShowsTheLintsOfTheProfileItWrote() throws Exception {
        Path busybox = Path.of("/bin/busybox");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isExecutable(busybox), "busybox-static is not installed (bin/run-tests installs it)");
        Path base = dir.resolve("base.yaml");
        Files.writeString(base, """
                version: 1
                default: errno EPERM
                rules:
                  - action: allow
                    syscalls: [io_uring_setup, io_uring_enter, io_uring_register]
                """);
        Path out = dir.resolve("learned.yaml");
        dev.syscage.run.RunTest.Result r = dev.syscage.run.RunTest.syscage(
                dir, "learn", "-o", out.toString(), "--merge", base.toString(), "--", busybox.toString(), "true");
        assertEquals(0, r.code(), r.err());
        List<String> shown = diagnostics(r.err());
        assertTrue(!shown.isEmpty() && shown.stream().allMatch(l -> l.startsWith(out + ":")), r.err());
        assertTrue(
                shown.stream()
                        .anyMatch(l -> l.contains(
                                ": warning: policy lets io_uring_setup through but restricts" + " open, openat")),
                r.err());
        // a static program makes none of a dynamic one's start-up calls: that lint shows too
        assertTrue(shown.stream().anyMatch(l -> l.contains("every dynamically linked program calls them")), r.err());
    }

    private static List<String> diagnostics(String err) {
        return new java.util.ArrayList<>(Arrays.stream(err.split("\n"))
                .filter(l -> l.matches("\\S+:\\d+:\\d+: (warning|error): .*"))
                .toList());
    }
}
