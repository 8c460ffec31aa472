package dev.syscage.policy.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.group.Groups;
import dev.syscage.policy.input.InputLimits;
import dev.syscage.policy.model.Policy;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: inputs made to exhaust the loader (deep nesting, huge or endless files, long lines)
 * are answered within {@link #BOUND} with one error that says which limit ({@link InputLimits})
 * was hit and where, caret included. Before, they overflowed the stack, ran out of heap or
 * ran for minutes. Each limit is also checked at its edge, so a limit set too low fails too.
 */
class HostileInputTest {
    /** The promise: every input answered within this, in the default heap. */
    static final Duration BOUND = Duration.ofSeconds(5);

    private static final LoadOptions NO_DIRS = new LoadOptions(List.of(), List.of());
    private static final String HEAD = "version: 1\narch: x86_64\ndefault: allow\n";

    @TempDir
    Path dir;

    /** Loads the syscall tables and constants once, outside the bounds: the bound is for answering an input. */
    @BeforeAll
    static void warmUp() {
        PolicyLoader.loadString("warm.yaml", rule("flags == O_RDONLY"), NO_DIRS);
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /** The rendered errors of loading {@code name} from the test directory. */
    private String errors(String name) {
        PolicyException e = assertThrows(PolicyException.class, () -> load(name));
        return e.render();
    }

    private Policy load(String name) {
        return assertTimeoutPreemptively(
                BOUND, () -> PolicyLoader.load(dir.resolve(name), name, NO_DIRS).policy());
    }

    private static String rule(String when) {
        return HEAD + "rules:\n  - action: errno EPERM\n    syscalls: [openat]\n    when: \"" + when + "\"\n";
    }

    @Test
    void twoThousandNestedParenthesesAreAnErrorAtTheFirstParenthesisPastTheLimit() throws IOException {
        write("p.yaml", rule("(".repeat(2000) + "flags == 0" + ")".repeat(2000)));
        // the condition starts in column 12; its 65th '(' is in column 76, quoted from column 16 on
        assertEquals(
                "p.yaml:7:76: error: the condition nests deeper than 64 here (parentheses, '!' and '~'), "
                        + "the nesting limit for conditions\n"
                        + "    ..." + "(".repeat(120) + "...\n"
                        + "    " + " ".repeat(3 + 75 - 15) + "^",
                errors("p.yaml"));
    }

    /** The 20,000 '!' make a line longer than the line limit, which answers first. */
    @Test
    void twentyThousandNotsAreAnErrorAtTheLineLimit() throws IOException {
        write("n.yaml", rule("!".repeat(20_000) + "flags"));
        assertEquals(
                "n.yaml:7:10001: error: line 7 is longer than 10000 characters, the line length limit",
                errors("n.yaml").lines().findFirst().orElseThrow());
    }

    @Test
    void fiveThousandNotsAreAnErrorAtTheFirstNotPastTheLimit() throws IOException {
        write("n.yaml", rule("!".repeat(5000) + "flags"));
        assertEquals(
                "n.yaml:7:76: error: the condition nests deeper than 64 here (parentheses, '!' and '~'), "
                        + "the nesting limit for conditions",
                errors("n.yaml").lines().findFirst().orElseThrow());
    }

    @Test
    void deepTildesAndParenthesesInValuesCountToo() throws IOException {
        write("t.yaml", rule("flags == " + "~".repeat(5000) + "0"));
        assertEquals(
                "t.yaml:7:85: error: the condition nests deeper than 64 here (parentheses, '!' and '~'), "
                        + "the nesting limit for conditions",
                errors("t.yaml").lines().findFirst().orElseThrow());
        write("v.yaml", rule("flags == " + "(".repeat(2000) + "0" + ")".repeat(2000)));
        assertEquals(
                "v.yaml:7:85: error: the condition nests deeper than 64 here (parentheses, '!' and '~'), "
                        + "the nesting limit for conditions",
                errors("v.yaml").lines().findFirst().orElseThrow());
    }

    @Test
    void conditionsNestingExactlyToTheLimitLoad() throws IOException {
        int d = InputLimits.MAX_CONDITION_DEPTH;
        write("ok.yaml", rule("!".repeat(d - 1) + "(flags == 0)"));
        assertEquals(1, load("ok.yaml").rules().size());
        write("ok2.yaml", rule("(".repeat(d) + "flags == 0" + ")".repeat(d)));
        assertEquals(1, load("ok2.yaml").rules().size());
    }

    @Test
    void aConditionLongerThanTheLimitIsAnErrorAtTheLimit() throws IOException {
        // a folded block scalar: many short lines, one long condition
        StringBuilder sb =
                new StringBuilder(HEAD + "rules:\n  - action: errno EPERM\n    syscalls: [openat]\n    when: >\n");
        for (int i = 0; i < 1000; i++) {
            sb.append("      flags == ").append(i).append(" ||\n");
        }
        sb.append("      flags == 1000\n");
        write("long.yaml", sb.toString());
        assertEquals(
                "long.yaml:7:11: error: the condition is longer than 10000 characters, the length limit for a condition",
                errors("long.yaml").lines().findFirst().orElseThrow());
    }

    @Test
    void includingDevZeroIsAnErrorAtTheInclude() throws IOException {
        write("z.yaml", HEAD + "include: [\"/dev/zero\"]\n");
        assertEquals("""
                z.yaml:4:11: error: included file /dev/zero is not a regular file (a device, FIFO or socket)
                    include: ["/dev/zero"]
                              ^""", errors("z.yaml"));
    }

    @Test
    void aTwentyMegabyteLineStopsAtTheSizeLimitWhereItIsCrossed() throws IOException {
        Path p = dir.resolve("big.yaml");
        try (OutputStream out = Files.newOutputStream(p)) {
            out.write((HEAD + "description: ").getBytes(StandardCharsets.UTF_8));
            byte[] chunk = "a".repeat(1 << 20).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 20; i++) {
                out.write(chunk);
            }
            out.write('\n');
        }
        int column = InputLimits.MAX_POLICY_BYTES - HEAD.length() + 1;
        String e = errors("big.yaml");
        assertEquals(
                "big.yaml:4:" + column + ": error: the policy is larger than 512 KiB, the size limit for a policy "
                        + "with everything it includes; reading stopped here",
                e.lines().findFirst().orElseThrow());
        // the quoted line is cut to the part around the caret
        assertEquals("    ..." + "a".repeat(120), e.lines().skip(1).findFirst().orElseThrow());
    }

    @Test
    void aLongLineIsAnErrorAtTheFirstCharacterPastTheLimit() throws IOException {
        write("line.yaml", HEAD + "description: " + "b".repeat(20_000) + "\n");
        String e = errors("line.yaml");
        assertEquals(
                "line.yaml:4:10001: error: line 4 is longer than 10000 characters, the line length limit",
                e.lines().findFirst().orElseThrow());
        // and a line at the limit is read
        write(
                "edge.yaml",
                HEAD + "description: " + "b".repeat(InputLimits.MAX_LINE_LENGTH - "description: ".length()) + "\n");
        assertEquals("edge", load("edge.yaml").name());
    }

    @Test
    void deeplyNestedYamlIsAnErrorAtTheFirstListPastTheLimit() throws IOException {
        write("deep.yaml", HEAD + "description: " + "[".repeat(2000) + "]".repeat(2000) + "\n");
        // the root map is level 1, so the 32nd '[' is level 33
        assertEquals(
                "deep.yaml:4:45: error: lists and maps nest deeper than 32 here, the nesting limit for policy YAML",
                errors("deep.yaml").lines().findFirst().orElseThrow());
    }

    @Test
    void aChainOfIncludesDeeperThanTheLimitIsAnErrorAtTheInclude() throws IOException {
        for (int i = 0; i < 20; i++) {
            write("f" + i + ".yaml", (i == 0 ? HEAD : "version: 1\n") + "include: [f" + (i + 1) + ".yaml]\n");
        }
        write("f20.yaml", "version: 1\n");
        assertEquals(
                "f15.yaml:2:11: error: includes nest deeper than 16 here (f0.yaml -> ... -> f16.yaml), "
                        + "the include depth limit",
                errors("f0.yaml").lines().findFirst().orElseThrow());
    }

    @Test
    void moreIncludedFilesThanTheLimitIsAnErrorAtTheFirstOneTooMany() throws IOException {
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < 70; i++) {
            write("i" + i + ".yaml", "version: 1\n");
            names.append(i == 0 ? "" : ", ").append("i").append(i).append(".yaml");
        }
        write("top.yaml", HEAD + "include: [" + names + "]\n");
        // the top file and 63 includes make 64; i63.yaml is the 65th file
        int column = "include: [".length() + 1 + names.indexOf("i63.yaml");
        assertEquals(
                "top.yaml:4:" + column + ": error: this include makes more than 64 files, the limit for the files "
                        + "of one policy",
                errors("top.yaml").lines().findFirst().orElseThrow());
    }

    @Test
    void includesTogetherLargerThanTheSizeLimitAreAnErrorAtTheIncludeThatCrossesIt() throws IOException {
        String filler = "# " + "x".repeat(98) + "\n";
        write("a.yaml", "version: 1\n" + filler.repeat(3000));
        write("b.yaml", "version: 1\n" + filler.repeat(3000));
        write("top.yaml", HEAD + "include: [a.yaml, b.yaml]\n");
        assertEquals("""
                top.yaml:4:19: error: included file b.yaml makes the policy larger than 512 KiB, the size limit for a policy with everything it includes
                    include: [a.yaml, b.yaml]
                                      ^""", errors("top.yaml"));
    }

    @Test
    void aChainOfGroupsDeeperThanTheLimitIsOneErrorAtTheMemberPastIt() throws IOException {
        StringBuilder sb = new StringBuilder(HEAD + "groups:\n");
        for (int i = 0; i < 5000; i++) {
            sb.append("  g").append(i).append(": [\"@g").append(i + 1).append("\"]\n");
        }
        sb.append("  g5000: [read]\nrules:\n  - {action: errno EPERM, syscalls: [\"@g0\"]}\n");
        write("g.yaml", sb.toString());
        String e = errors("g.yaml");
        assertEquals("""
                g.yaml:36:9: error: groups nest deeper than 32 here (@g0 -> ... -> @g31 -> @g32), the group nesting limit
                      g31: ["@g32"]
                            ^
                1""", e + "\n" + e.lines().filter(l -> l.contains("error:")).count());
    }

    /** Groups multiply what a rule names: 23,000 rules naming "@default" fit in 1 MiB (and 11,000 in the size limit) and named 8 million syscalls (37 s). */
    @Test
    void rulesNamingMoreSyscallsThanTheLimitAreAnErrorAtTheItemThatCrossesIt() throws IOException {
        // 5,000 rules: 250 KB, within the size limit
        int perRule = Groups.shipped().syscalls("default").size();
        StringBuilder sb = new StringBuilder(HEAD + "rules:\n");
        for (int i = 0; i < 5000; i++) {
            sb.append("  - {action: errno EPERM, syscalls: [\"@default\"]}\n");
        }
        write("many.yaml", sb.toString());
        int line = 5 + InputLimits.MAX_RULE_SYSCALLS / perRule; // at the rule whose "@default" (column 38) crosses it
        assertEquals(
                "many.yaml:" + line + ":38: error: the rules name more than 100000 syscalls by here, counting each"
                        + " name of each group once per rule: the limit for one policy",
                errors("many.yaml")
                        .lines()
                        .filter(l -> l.contains("error:"))
                        .findFirst()
                        .orElseThrow());
    }

    @Test
    void bytesThatAreNotUtf8AreAnErrorAtTheFirstOne() throws IOException {
        Path p = dir.resolve("bin.yaml");
        byte[] head = (HEAD + "description: \"caf").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + 4];
        System.arraycopy(head, 0, all, 0, head.length);
        all[head.length] = (byte) 0xff;
        all[head.length + 1] = 0x1b; // an escape: shown as '?', so quoting a file cannot drive the terminal
        all[head.length + 2] = '"';
        all[head.length + 3] = '\n';
        Files.write(p, all);
        assertEquals("""
                bin.yaml:4:18: error: not UTF-8 text: byte 0xff here cannot start or continue a UTF-8 character
                    description: "caf\uFFFD?"
                                     ^""", errors("bin.yaml"));
    }

    /** A flood of mistakes: the first 200 are shown, the rest counted, and no "did you mean" is searched for them. */
    @Test
    void fiftyThousandUnknownNamesShowTheFirstTwoHundredAndCountTheRest() throws IOException {
        StringBuilder sb = new StringBuilder(HEAD + "rules:\n  - action: errno EPERM\n    syscalls: [\n");
        for (int i = 0; i < 5000; i++) {
            sb.append("      ").append("reax, ".repeat(10)).append('\n');
        }
        sb.append("      read]\n");
        write("flood.yaml", sb.toString());
        PolicyException e = assertThrows(PolicyException.class, () -> load("flood.yaml"));
        assertEquals(50_000, e.errorCount());
        assertEquals(201, e.diagnostics().size());
        assertEquals(
                "syscage: note: and 49800 more errors and 0 more warnings, not shown (the first 200 found are above)",
                e.render().lines().reduce((a, b) -> b).orElseThrow());
        assertEquals(
                "flood.yaml:7:7: error: unknown syscall 'reax' (did you mean 'read'?)",
                e.render().lines().findFirst().orElseThrow());
    }

    @Test
    void aFifoNobodyWritesToIsAnErrorWithinTheWait() throws Exception {
        Path fifo = dir.resolve("fifo.yaml");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        try {
            assertEquals(
                    "syscage: error: cannot read policy file fifo.yaml (not all there within 2 s: it is no regular "
                            + "file, and what writes it did not finish; a FIFO nobody writes to?)",
                    errors("fifo.yaml"));
        } finally {
            // the reader left waiting in open() gets a writer (read-write opens of a FIFO do not wait) and ends
            new RandomAccessFile(fifo.toFile(), "rw").close();
        }
    }

    @Test
    void aPipeThatIsWrittenInTimeIsRead() throws Exception {
        Path fifo = dir.resolve("pipe.yaml");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Thread writer = new Thread(() -> {
            try {
                Files.writeString(fifo, HEAD + "name: piped\n");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.setDaemon(true); // were the file never opened, it would wait for a reader
        writer.start();
        assertEquals("piped", load("pipe.yaml").name());
    }
}
