package dev.syscage.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The top command: only lists the subcommands. */
@Command(name = "syscage",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Compile, check and enforce seccomp system-call policies.",
        subcommands = {
            CompileCommand.class,
            CheckCommand.class,
            DisasmCommand.class,
            ImportCommand.class,
            ExportCommand.class,
            RunCommand.class,
            LearnCommand.class,
            ProfilesCommand.class,
        },
        footer = {"", "Exit status: 0 success, 1 failure, 2 bad input (nothing was run), 3 internal error."})
public final class SyscageCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a subcommand is required");
    }
}
