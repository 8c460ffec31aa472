package dev.syscage.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -} as standard input and output, in every command that reads or writes a file: the
 * same result as through a file, {@code <stdin>} in messages, includes relative to the current
 * directory, binary never to a terminal, and no file named {@code -}.
 */
class StdioCliTest {
    @TempDir
    Path dir;

    static final String WEB = """
            version: 1
            name: web
            arch: x86_64
            default: errno EPERM
            rules:
              - action: allow
                syscalls: [read, write, openat, close, exit_group]
            """;

    /** A run with {@code stdin} as standard input; {@code bytes} is what went to binary standard output. */
    record Run(int code, String out, String err, byte[] bytes) {}

    static Run run(String stdin, boolean terminal, String... args) {
        ByteArrayOutputStream bin = new ByteArrayOutputStream();
        Stdio stdio = new Stdio(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), bin, () -> terminal);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, stdio, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString(), bin.toByteArray());
    }

    private Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void compileReadsStandardInputAndWritesRawToStandardOutput() throws IOException {
        Path out = dir.resolve("web.bpf");
        assertEquals(
                0,
                CliTest.run("compile", file("web.yaml", WEB).toString(), "-o", out.toString())
                        .code());
        Run r = run(WEB, false, "compile", "-", "-o", "-");
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(Files.readAllBytes(out), r.bytes());
        assertEquals("", r.out());
        assertFalse(Files.exists(Path.of("-")), "a file named '-' was made");
    }

    @Test
    void rawToATerminalIsRefused() {
        Run r = run(WEB, true, "compile", "-", "-o", "-");
        assertEquals(2, r.code());
        assertEquals(
                "syscage: the raw program is binary and standard output is a terminal: redirect it"
                        + " (-o - > FILE, or | ...) or give -o FILE\n",
                r.err());
        assertEquals(0, r.bytes().length);
        Run none = run(WEB, false, "compile", "-");
        assertEquals(2, none.code());
        assertEquals(
                "syscage: --format raw writes binary: give an output file with -o FILE (-o - for standard output)\n",
                none.err());
    }

    @Test
    void textFormatsGoToStandardOutputWithDash() throws IOException {
        String viaFile = CliTest.run("compile", file("web.yaml", WEB).toString(), "--format", "disasm")
                .out();
        Run r = run(WEB, false, "compile", "-", "--format", "disasm", "-o", "-");
        assertEquals(0, r.code(), r.err());
        assertEquals(viaFile, r.out());
        assertTrue(r.out().contains("; allow"), r.out());
    }

    @Test
    void errorsNameStandardInput() {
        Run r = run(WEB.replace("openat", "opnat"), false, "check", "-", "read");
        assertEquals(2, r.code());
        assertTrue(
                r.err().startsWith("<stdin>:7:29: error: unknown syscall 'opnat' (did you mean 'openat'?)\n"), r.err());
    }

    @Test
    void includesFromStandardInputAreRelativeToTheCurrentDirectory() throws IOException {
        Path inc = file("inc.yaml", "version: 1\nrules:\n  - action: kill\n    syscalls: [ptrace]\n");
        String relative = Path.of("").toAbsolutePath().relativize(inc).toString();
        assertFalse(Path.of(relative).isAbsolute());
        Run r = run(WEB + "include: [\"" + relative + "\"]\n", false, "check", "-", "ptrace");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("ptrace (nr 101) on x86_64: kill"), r.out());
        assertTrue(r.out().contains("decided by rule #2 (" + relative + ":3)"), r.out());
    }

    @Test
    void everyReaderTakesDash() throws IOException {
        assertEquals(0, run(WEB, false, "disasm", "-").code());
        assertEquals(0, run(WEB, false, "export", "-", "-o", "-").code());
        Path bpf = dir.resolve("web.bpf");
        CliTest.run("compile", file("web.yaml", WEB).toString(), "-o", bpf.toString());
        Run d = runBytes(Files.readAllBytes(bpf), "disasm", "--bpf", "-");
        assertEquals(0, d.code(), d.err());
        assertEquals(CliTest.run("disasm", "--bpf", bpf.toString()).out(), d.out());
        String oci =
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
        Run i = run(oci, false, "import", "-", "-o", "-", "--arch", "x86_64", "--kernel", "6.18");
        assertEquals(0, i.code(), i.err());
        assertTrue(i.out().contains("syscalls: [read]"), i.out());
        Run f = run(
                "openat 100\nread 5\n",
                false,
                "compile",
                file("web.yaml", WEB).toString(),
                "--frequency",
                "-",
                "--format",
                "disasm");
        assertEquals(0, f.code(), f.err());
    }

    @Test
    void standardInputIsReadOnce() {
        Run r = run(WEB, false, "compile", "-", "--frequency", "-", "--format", "disasm");
        assertEquals(2, r.code());
        assertEquals("syscage: cannot read --frequency from standard input (-): another - has read it\n", r.err());
    }

    @Test
    void outputsThatCannotBothBeStandardOutput() {
        Run r = run(WEB, false, "compile", "-", "--format", "disasm", "--landlock-out", "-");
        assertEquals(2, r.code());
        assertEquals(
                "syscage: --landlock-out -: standard output already gets the program; give one of them a file\n",
                r.err());
        Run learn = run("", false, "learn", "-o", "-", "--", "true");
        assertEquals(2, learn.code());
        assertTrue(
                learn.err().startsWith("syscage: -o -: the program's own output goes to standard output too"),
                learn.err());
    }

    @Test
    void theProgramsStandardOutputIsNoAuditLog() {
        for (String option : new String[] {"--log", "--metrics"}) {
            Run r = run("", false, "run", "--profile", "default", option, "-", "--", "true");
            assertEquals(2, r.code(), r.err());
            assertEquals(
                    "syscage: " + option + " -: standard output is the program's own, and the two would be mixed;"
                            + " give a file; nothing was run\n",
                    r.err());
        }
        assertFalse(Files.exists(Path.of("-")), "a file named '-' was made");
    }

    private static Run runBytes(byte[] stdin, String... args) {
        ByteArrayOutputStream bin = new ByteArrayOutputStream();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(
                args,
                new Stdio(new ByteArrayInputStream(stdin), bin, () -> false),
                new PrintWriter(out, true),
                new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString(), bin.toByteArray());
    }
}
