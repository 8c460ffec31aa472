package dev.syscage.cli;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.LoadResult;
import dev.syscage.policy.validate.PolicyLoader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options shared by every command that reads a policy. */
public final class PolicyOptions {
    @Option(names = "--profile-path", split = ":", paramLabel = "DIR",
            description = "Directories searched for included profile names before the shipped ones.")
    List<Path> profilePath = new ArrayList<>();

    @Option(names = {"-v", "--verbose"}, description = "Show stack traces on internal errors.")
    boolean verbose;

    static Arch arch(String name) {
        return Arch.byName(name).orElseThrow(() -> UserException.badInput(
                "unknown architecture '" + name + "' (known: x86_64, aarch64, i386)"));
    }

    LoadOptions loadOptions(List<Arch> arches) {
        List<Path> dirs = new ArrayList<>(profilePath);
        dirs.addAll(LoadOptions.defaults().profileDirs());
        return new LoadOptions(dirs, arches);
    }

    /** The files on disk the last {@link #load} read (for the run cache's key). */
    List<Path> files = List.of();

    /** The command this mixin is part of: where the loader's warnings go (its standard error). */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /**
     * Loads a policy; {@code arches}, when not empty, replaces the policy's own arch list. The
     * loader's warnings (a shadowed rule, a supervise rule that never runs, ...) are printed.
     */
    Policy load(Path file, List<Arch> arches) {
        if (!Files.isReadable(file)) {
            throw UserException.badInput(file + ": cannot read policy file"
                    + (Files.exists(file) ? " (permission denied)" : " (no such file)"));
        }
        LoadResult loaded = PolicyLoader.loadWithWarnings(file, loadOptions(arches));
        files = loaded.files();
        if (command != null && !loaded.warnings().isEmpty()) {
            PrintWriter err = command.commandLine().getErr();
            loaded.warnings().forEach(w -> err.println(w.render()));
            err.flush();
        }
        return loaded.policy();
    }
}
