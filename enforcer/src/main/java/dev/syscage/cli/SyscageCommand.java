package dev.syscage.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The top command: only lists the subcommands. They are added by {@link #withSubcommands}, not
 * named in the annotation, so that a command line naming one builds picocli's model of that one
 * alone: reading every command's annotations costs about a fifth of {@code syscage run}'s
 * start-up.
 */
@Command(
        name = "syscage",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Compile, check and enforce seccomp system-call policies.",
        footer = {"", "Exit status: 0 success, 1 failure, 2 bad input (nothing was run), 3 internal error."})
public final class SyscageCommand implements Runnable {
    /** The subcommands, in the order the help lists them. */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = new LinkedHashMap<>();

    static {
        SUBCOMMANDS.put("compile", CompileCommand::new);
        SUBCOMMANDS.put("check", CheckCommand::new);
        SUBCOMMANDS.put("disasm", DisasmCommand::new);
        SUBCOMMANDS.put("import", ImportCommand::new);
        SUBCOMMANDS.put("export", ExportCommand::new);
        SUBCOMMANDS.put("run", RunCommand::new);
        SUBCOMMANDS.put("learn", LearnCommand::new);
        SUBCOMMANDS.put("report", ReportCommand::new);
        SUBCOMMANDS.put("suggest", SuggestCommand::new);
        SUBCOMMANDS.put("profiles", ProfilesCommand::new);
    }

    /**
     * {@code top} with the subcommand {@code args} starts with, if it names one; otherwise with
     * all of them (for the help, the version, and suggestions after a typo).
     */
    static CommandLine withSubcommands(CommandLine top, String[] args) {
        Supplier<Object> named = args.length > 0 ? SUBCOMMANDS.get(args[0]) : null;
        if (named != null) {
            top.addSubcommand(args[0], named.get());
        } else {
            SUBCOMMANDS.forEach((name, command) -> top.addSubcommand(name, command.get()));
        }
        return top;
    }

    @Spec
    CommandSpec spec;

    private final Stdio stdio;

    public SyscageCommand() {
        this(Stdio.system());
    }

    public SyscageCommand(Stdio stdio) {
        this.stdio = stdio;
    }

    /** The standard streams of the command line {@code command} belongs to. */
    static Stdio stdio(CommandSpec command) {
        return command != null && command.root().userObject() instanceof SyscageCommand top
                ? top.stdio
                : Stdio.system();
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a subcommand is required");
    }
}
