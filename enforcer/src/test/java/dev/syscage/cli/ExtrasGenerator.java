package dev.syscage.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Makes, at build time (the enforcer's package phase, docs/cli.md), the bash/zsh completion
 * script and the man page sources (AsciiDoc, one per command and subcommand; {@code asciidoctor
 * -b manpage} makes troff of them) from the whole command tree: {@link SyscageCommand} adds its
 * subcommands only at run time, so picocli's own tools, given the class, would see none.
 * Lives with the tests so that picocli-codegen is no runtime dependency.
 */
public final class ExtrasGenerator {
    private ExtrasGenerator() {}

    /** {@code OUT}: writes OUT/completion/syscage.bash and OUT/man/syscage*.adoc. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ExtrasGenerator OUTPUT_DIR");
        }
        generate(Path.of(args[0]));
    }

    static void generate(Path out) throws IOException {
        CommandLine tree = Main.commandLine();
        Path completion = out.resolve("completion").resolve("syscage.bash");
        Files.createDirectories(completion.getParent());
        Files.writeString(completion, AutoComplete.bash("syscage", tree), StandardCharsets.UTF_8);
        File man = out.resolve("man").toFile();
        Files.createDirectories(man.toPath());
        int status = ManPageGenerator.generateManPage(man, null, new boolean[0], true, tree.getCommandSpec());
        if (status != 0) {
            throw new IOException("picocli's ManPageGenerator failed with status " + status);
        }
    }
}
