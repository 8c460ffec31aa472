package dev.syscage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.Verifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end, in process: outputs, messages and exit codes. */
class CliTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    private Path policy(String text) throws IOException {
        Path p = dir.resolve("web.yaml");
        Files.writeString(p, text);
        return p;
    }

    private static final String WEB = """
            version: 1
            name: web
            arch: x86_64
            default: errno EPERM
            rules:
              - action: errno EACCES
                syscalls: [openat]
                when: "(flags & O_ACCMODE) != O_RDONLY"
              - action: allow
                syscalls: [read, write, openat, close, exit_group]
              - action: kill
                syscalls: [ptrace]
            """;

    @Test
    void compileWritesRawBytesTheVerifierAccepts() throws IOException {
        Path p = policy(WEB);
        Path out = dir.resolve("web.bpf");
        Run r = run("compile", p.toString(), "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        byte[] bytes = Files.readAllBytes(out);
        assertEquals(0, bytes.length % 8);
        assertTrue(Verifier.verify(Program.fromBytes(bytes)).isEmpty());
        assertTrue(r.err().contains("instructions (x86_64) -> " + out), r.err());
    }

    /** -o names a FIFO (as /dev/null or /dev/stdout are no regular files): written to, not replaced by a file. */
    @Test
    void compileWritesIntoAnOutputThatIsNoRegularFile() throws Exception {
        Path fifo = dir.resolve("out.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        byte[][] got = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                got[0] = Files.readAllBytes(fifo);
            } catch (IOException e) {
                got[0] = new byte[0];
            }
        });
        reader.setDaemon(true); // left blocked if the FIFO were replaced: the test fails below
        reader.start();
        Run r = run("compile", policy(WEB).toString(), "-o", fifo.toString());
        assertEquals(0, r.code(), r.err());
        reader.join(10_000);
        assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "the FIFO was replaced by a file");
        assertTrue(got[0] != null && got[0].length > 0 && got[0].length % 8 == 0, "nothing read from the FIFO");
    }

    @Test
    void compileFormatsCDisasmAndJson() throws IOException {
        Path p = policy(WEB);
        Run c = run("compile", p.toString(), "--format", "c");
        assertTrue(c.out().contains("static const struct sock_filter syscage_filter[] = {"), c.out());
        Run d = run("compile", p.toString(), "--format", "disasm");
        assertTrue(d.out().startsWith("0000: ld  [4]"), d.out());
        assertTrue(d.out().contains("; AUDIT_ARCH_X86_64"), d.out());
        Run j = run("compile", p.toString(), "--format", "json");
        assertTrue(j.out().contains("\"name\": \"web\""), j.out());
        Run bad = run("compile", p.toString(), "--format", "elf");
        assertEquals(2, bad.code());
        assertEquals("syscage: unknown format 'elf' (choose raw, disasm, c or json)\n", bad.err());
        Run raw = run("compile", p.toString());
        assertEquals(2, raw.code());
        assertEquals(
                "syscage: --format raw writes binary: give an output file with -o FILE (-o - for standard"
                        + " output)\n",
                raw.err());
    }

    @Test
    void checkNamesActionRuleAndCost() throws IOException {
        Path p = policy(WEB);
        Run denied = run("check", p.toString(), "openat", "AT_FDCWD", "0", "O_RDWR|O_CLOEXEC");
        assertEquals(0, denied.code(), denied.err());
        String[] lines = denied.out().split("\n");
        assertEquals("openat (nr 257) on x86_64: errno 13 (EACCES)", lines[0]);
        assertEquals("  decided by rule #1 (" + p + ":6)", lines[1]);
        assertTrue(lines[2].matches("  \\d+ of \\d+ instructions executed"), lines[2]);

        Run allowed = run("check", p.toString(), "openat", "-100", "0", "0");
        assertTrue(
                allowed.out().startsWith("openat (nr 257) on x86_64: allow\n  decided by rule #2 (" + p + ":9)"),
                allowed.out());
        Run other = run("check", p.toString(), "mount");
        assertTrue(
                other.out().startsWith("mount (nr 165) on x86_64: errno 1 (EPERM)\n  decided by default (" + p + ":4)"),
                other.out());
        Run foreign = run("check", p.toString(), "read", "--arch", "aarch64");
        assertTrue(foreign.out().startsWith("read (nr 63) on aarch64: kill\n  decided by bad_arch"), foreign.out());
        Run traced = run("check", p.toString(), "ptrace", "--trace");
        assertTrue(traced.out().contains("ret #0x80000000"), traced.out());
    }

    @Test
    void theLoadersWarningsArePrintedByEveryCommandThatReadsAPolicy() throws IOException {
        Path p = policy("""
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: allow
                    syscalls: [read, read]
                supervise:
                  rules:
                    - syscalls: [write]
                      decision: allow
                """);
        for (String[] command : List.of(
                new String[] {
                    "compile", p.toString(), "-o", dir.resolve("f.bpf").toString()
                },
                new String[] {"check", p.toString(), "read"},
                new String[] {"disasm", p.toString()})) {
            Run r = run(command);
            assertEquals(0, r.code(), r.err());
            assertTrue(
                    r.err().contains(p + ":6:22: warning: 'read' is listed twice in this rule"),
                    command[0] + ": " + r.err());
            assertTrue(r.err().contains(p + ":9:18: warning: supervise rule for 'write' never runs"), r.err());
        }
    }

    @Test
    void policyErrorsArePrintedWithCaretAndExit2WithoutStackTrace() throws IOException {
        Path p = policy("""
                version: 1
                default: errno EPERM
                rules:
                  - action: allow
                    syscalls: [read, opnat]
                """);
        Run r = run("compile", p.toString(), "--format", "disasm");
        assertEquals(2, r.code());
        assertEquals(
                p + ":5:22: error: unknown syscall 'opnat' (did you mean 'openat'?)\n"
                        + "        syscalls: [read, opnat]\n"
                        + "                         ^\n"
                        + "1 error\n",
                r.err());
        assertFalse(r.err().contains("Exception"));
        assertEquals("", r.out());
    }

    @Test
    void checkSuggestsLikeTheLoader() throws IOException {
        Path p = policy(WEB);
        Run call = run("check", p.toString(), "opnat");
        assertEquals(2, call.code());
        assertTrue(
                call.err().endsWith("syscage: unknown syscall 'opnat' on x86_64 (did you mean 'openat'?)\n"),
                call.err());
        Run constant = run("check", p.toString(), "openat", "AT_FDCWD", "0", "O_RDWR|O_CLOEXC");
        assertEquals(2, constant.code());
        assertTrue(
                constant.err()
                        .endsWith("syscage: 'O_CLOEXC' is neither a number nor a known constant"
                                + " (did you mean 'O_CLOEXEC'?)\n"),
                constant.err());
        Run errno = run("check", p.toString(), "read", "EACESS");
        assertTrue(
                errno.err()
                        .endsWith("syscage: 'EACESS' is neither a number nor a known constant"
                                + " (did you mean 'EACCES'?)\n"),
                errno.err());
        Run none = run("check", p.toString(), "zzzzzzzz");
        assertTrue(none.err().endsWith("syscage: unknown syscall 'zzzzzzzz' on x86_64\n"), none.err());
    }

    @Test
    void missingPolicyFileIsBadInput() {
        Run r = run("check", dir.resolve("nope.yaml").toString(), "read");
        assertEquals(2, r.code());
        assertEquals("syscage: cannot read " + dir.resolve("nope.yaml") + ": no such file\n", r.err());
    }

    @Test
    void disasmVerifiesRawFiles() throws IOException {
        Path bad = dir.resolve("bad.bpf");
        Files.write(bad, new byte[] {1, 2, 3});
        Run r = run("disasm", "--bpf", bad.toString());
        assertEquals(2, r.code());
        assertEquals(
                "syscage: " + bad + ": 3 bytes is not a whole number of 8-byte instructions (struct sock_filter)\n",
                r.err());
        Path noRet = dir.resolve("noret.bpf");
        Files.write(noRet, new byte[] {0x20, 0, 0, 0, 4, 0, 0, 0}); // ld [4], never returns
        Run v = run("disasm", "--bpf", noRet.toString());
        assertEquals(2, v.code());
        assertTrue(v.out().startsWith("0000: ld  [4]"), v.out());
        assertFalse(v.err().isEmpty());
    }

    @Test
    void unknownSubcommandSuggests() {
        Run r = run("compil");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("compile"), r.err());
    }

    @Test
    void aNamedSubcommandIsTheOnlyOneBuiltAndTheHelpListsThemAll() {
        assertEquals(
                java.util.Set.of("run"),
                Main.commandLine(new String[] {"run", "--help"})
                        .getSubcommands()
                        .keySet());
        assertEquals(
                java.util.List.of(
                        "compile",
                        "check",
                        "disasm",
                        "import",
                        "export",
                        "run",
                        "learn",
                        "report",
                        "suggest",
                        "profiles"),
                java.util.List.copyOf(Main.commandLine().getSubcommands().keySet()));
        Run help = run("--help");
        assertEquals(0, help.code());
        for (String c : java.util.List.of(
                "compile", "check", "disasm", "import", "export", "run", "learn", "report", "suggest", "profiles")) {
            assertTrue(help.out().contains("  " + c + " "), c + " missing from: " + help.out());
        }
        Run runHelp = run("run", "--help");
        assertEquals(0, runHelp.code());
        assertTrue(runHelp.out().startsWith("Usage: syscage run "), runHelp.out());
    }
}
