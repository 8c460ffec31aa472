package dev.syscage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The completion script and the man pages made at build time ({@link ExtrasGenerator}) cover
 * the whole command tree: every subcommand and every option of each.
 */
class ExtrasTest {
    @TempDir
    static Path out;

    private static String script;

    @BeforeAll
    static void generate() throws IOException {
        ExtrasGenerator.generate(out);
        script = Files.readString(out.resolve("completion/syscage.bash"));
    }

    /** Every command of the tree, the top one first. */
    private static List<CommandSpec> commands() {
        List<CommandSpec> all = new ArrayList<>();
        collect(Main.commandLine().getCommandSpec(), all);
        return all;
    }

    private static void collect(CommandSpec spec, List<CommandSpec> all) {
        all.add(spec);
        spec.subcommands().values().forEach(c -> collect(c.getCommandSpec(), all));
    }

    @Test
    void theTreeIsWhole() {
        List<String> names = commands().stream().map(c -> c.qualifiedName(" ")).toList();
        assertEquals(
                List.of(
                        "syscage",
                        "syscage compile",
                        "syscage check",
                        "syscage disasm",
                        "syscage import",
                        "syscage export",
                        "syscage run",
                        "syscage learn",
                        "syscage report",
                        "syscage suggest",
                        "syscage profiles",
                        "syscage profiles show"),
                names);
    }

    @Test
    void completionKnowsEverySubcommandAndOption() {
        for (CommandSpec c : commands()) {
            // picocli's script has one function per command, named after its path
            String function = "function _picocli_" + c.qualifiedName("_");
            assertTrue(c.parent() == null || script.contains(function), function);
            for (OptionSpec o : c.options()) {
                for (String name : o.names()) {
                    assertTrue(script.contains(name), c.qualifiedName(" ") + " " + name);
                }
            }
            c.subcommands().keySet().forEach(sub -> assertTrue(script.contains(sub), sub));
        }
        assertTrue(script.contains("--race-free") && script.contains("--dry-run") && script.contains("--landlock-out"));
    }

    @Test
    void completionIsValidBashAndCompletesSubcommands() throws Exception {
        Process p = new ProcessBuilder(
                        "bash",
                        "-c",
                        "source \"$1\"; COMP_WORDS=(syscage com); COMP_CWORD=1; COMP_LINE='syscage com';"
                                + " COMP_POINT=${#COMP_LINE}; _complete_syscage; printf '%s\\n' \"${COMPREPLY[@]}\"",
                        "bash",
                        out.resolve("completion/syscage.bash").toString())
                .redirectErrorStream(true)
                .start();
        String got = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "bash did not finish");
        assertEquals(0, p.exitValue(), got);
        assertEquals("compile\n", got);
    }

    @Test
    void aManPageForEveryCommand() throws IOException {
        for (CommandSpec c : commands()) {
            Path page = out.resolve("man").resolve(c.qualifiedName("-") + ".adoc");
            assertTrue(Files.isRegularFile(page), page.toString());
            String text = Files.readString(page);
            assertTrue(text.contains(":doctype: manpage") && text.contains(c.qualifiedName("-")), page.toString());
            for (OptionSpec o : c.options()) {
                assertTrue(text.contains(o.longestName()), page + ": " + o.longestName());
            }
        }
    }

    @Test
    void asciidoctorMakesTroffOfThem() throws Exception {
        assumeTrue(
                Stream.of(System.getenv("PATH").split(":"))
                        .anyMatch(d -> Files.isExecutable(Path.of(d, "asciidoctor"))),
                "asciidoctor is not installed (apt-get install asciidoctor): the troff pages are made at install");
        Path troff = out.resolve("man1");
        List<String> cmd = new ArrayList<>(List.of("asciidoctor", "-b", "manpage", "-D", troff.toString()));
        try (Stream<Path> pages = Files.list(out.resolve("man"))) {
            pages.map(Path::toString).sorted().forEach(cmd::add);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "asciidoctor did not finish");
        assertEquals(0, p.exitValue(), said);
        for (CommandSpec c : commands()) {
            Path page = troff.resolve(c.qualifiedName("-") + ".1");
            assertTrue(
                    Files.readString(page).startsWith("'\\\" t\n")
                            || Files.readString(page).contains(".TH "),
                    page.toString());
        }
    }
}
