package dev.syscage.cli;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.input.InputLimits;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.LoadResult;
import dev.syscage.policy.validate.PolicyLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options shared by every command that reads a policy. */
public final class PolicyOptions {
    @Option(
            names = "--profile-path",
            split = ":",
            paramLabel = "DIR",
            description = "Directories searched for included profile names before the shipped ones.")
    List<Path> profilePath = new ArrayList<>();

    // null means show ({@link #warnings()})
    @Option(
            names = {"-W", "--warnings"},
            paramLabel = "WHAT",
            description = "What to do with warnings about the policy (the loader's and the lints'): show, none (say"
                    + " nothing), or error (each stops the command, exit status 2, before it writes or runs anything)."
                    + " Default: show.")
    String warnings;

    @Option(
            names = {"-v", "--verbose"},
            description = "Show stack traces on internal errors.")
    boolean verbose;

    static Arch arch(String name) {
        return Arch.byName(name)
                .orElseThrow(() ->
                        UserException.badInput("unknown architecture '" + name + "' (known: x86_64, aarch64, i386)"));
    }

    LoadOptions loadOptions(List<Arch> arches) {
        List<Path> dirs = new ArrayList<>(profilePath);
        dirs.addAll(LoadOptions.defaults().profileDirs());
        return new LoadOptions(dirs, arches);
    }

    /** What -W asks for. */
    Warnings warnings() {
        return Warnings.parse(warnings == null ? "show" : warnings);
    }

    /** The standard streams of the command line: what {@code -} means. */
    Stdio stdio() {
        return SyscageCommand.stdio(command);
    }

    /** The command this mixin is part of: where the loader's warnings go (its standard error). */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** A loaded policy and the files on disk it was read from (for the run cache's key). */
    record Loaded(Policy policy, List<Path> files) {}

    /**
     * Loads a policy; {@code arches}, when not empty, replaces the policy's own arch list. The
     * loader's warnings (a shadowed rule, a supervise rule that never runs, ...) are printed.
     */
    Policy load(Path file, List<Arch> arches) {
        return read(file, arches).policy();
    }

    /** As {@link #load}, with the files read. */
    Loaded read(Path file, List<Arch> arches) {
        InputFile.Read read = InputFile.read(file, InputLimits.MAX_POLICY_BYTES, stdio(), "the policy");
        LoadResult loaded = PolicyLoader.loadRead(read.display(), read.file(), read.input(), loadOptions(arches));
        if (command != null) {
            warnings().emit(loaded.warnings(), command.commandLine().getErr());
        }
        return new Loaded(loaded.policy(), loaded.files());
    }
}
