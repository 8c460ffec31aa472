package dev.syscage.cli;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;

/**
 * The training run bin/syscage makes the class-data-sharing archive from, right after a build
 * ({@code java -XX:ArchiveClassesAtExit=syscage.jsa -cp syscage.jar dev.syscage.cli.CdsTraining}):
 * the classes, lambdas and method handles that a plain run, a notify-mode and a trace-mode run
 * load, so that each later starts with them already parsed and verified. Each runs {@code true}
 * under a shipped profile, without the run cache; a failure only means a smaller archive.
 */
public final class CdsTraining {
    private static final List<List<String>> RUNS = List.of(
            List.of("run", "--no-cache", "--profile", "default", "--dry-run", "--", "true"),
            List.of("run", "--no-cache", "--profile", "default", "--", "true"),
            List.of("run", "--no-cache", "--profile", "strict-stdio", "--", "true"),
            List.of("run", "--no-cache", "--mode", "trace", "--profile", "strict-stdio", "--", "true"));

    private CdsTraining() {}

    public static void main(String[] args) {
        PrintWriter none = new PrintWriter(Writer.nullWriter());
        int failed = 0;
        for (List<String> run : RUNS) {
            failed += Main.run(run.toArray(String[]::new), none, none) == 0 ? 0 : 1;
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
