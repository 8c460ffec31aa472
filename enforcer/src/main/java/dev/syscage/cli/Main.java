package dev.syscage.cli;

import dev.syscage.nativeaccess.LinuxCLibrary;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Constants;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.supervise.decode.SyscallDecoder;
import dev.syscage.supervise.hooks.HookLoadException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;

/**
 * Entry point. Maps failures to exit codes in one place: policy errors print their diagnostics,
 * user errors their message, and only {@code --verbose} shows a stack trace.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        dev.syscage.nativeaccess.JnaSearchPath.fromLibc(); // before JNA's first use: no ldconfig -p
        if (args.length > 0 && (args[0].equals("run") || args[0].equals("learn"))) {
            warmUp();
        }
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Start-up work that 'run' and 'learn' will need, done on a second thread while the main one
     * parses the command line and the policy: loading JNA and libc, and the machine's syscall
     * table and constants, and the decoder's tables (class initialisation and the decoder's table
     * cache are thread-safe: whoever comes second waits).
     * Failures are left to the main thread to meet and report.
     */
    private static void warmUp() {
        Thread t = new Thread(
                () -> {
                    try {
                        LinuxCLibrary.instance();
                        SyscallTable.of(Arch.nativeArch());
                        Constants.of(Arch.nativeArch());
                        SyscallDecoder.preload(Arch.nativeArch());
                    } catch (RuntimeException | LinkageError e) {
                        // the main thread meets the same failure where it can report it
                    }
                },
                "syscage-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /** Runs the CLI with the given streams; what tests call. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, Stdio.system(), out, err);
    }

    /** As {@link #run(String[], PrintWriter, PrintWriter)}, with {@code -} meaning {@code stdio}. */
    public static int run(String[] args, Stdio stdio, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine(args, stdio);
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } catch (StackOverflowError | OutOfMemoryError e) {
            // the input limits (InputLimits) should make these impossible: a bug, said without a stack trace
            boolean verbose =
                    List.of(args).contains("--verbose") || List.of(args).contains("-v");
            err.println("syscage: internal error: " + e + " (a bug: please report it with the input"
                    + (verbose ? ")" : "; --verbose shows details)"));
            if (verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return ExitCodes.INTERNAL;
        }
    }

    /** The command line with every subcommand. */
    public static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /** The command line for {@code args}: with only the subcommand they name, when they name one. */
    public static CommandLine commandLine(String[] args) {
        return commandLine(args, Stdio.system());
    }

    private static CommandLine commandLine(String[] args, Stdio stdio) {
        CommandLine cl = SyscageCommand.withSubcommands(new CommandLine(new SyscageCommand(stdio)), args);
        // an option's value that names a subcommand is the value ('profiles -W show' lists, -W says show)
        cl.setAllowSubcommandsAsOptionParameters(true);
        cl.setExecutionExceptionHandler(Main::handle);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("syscage: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, c.getErr());
            c.getErr()
                    .println("Try 'syscage " + (c.getCommandName().equals("syscage") ? "" : c.getCommandName() + " ")
                            + "--help' for more information.");
            return ExitCodes.BAD_INPUT;
        });
        return cl;
    }

    private static int handle(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean verbose = parsed.originalArgs().contains("--verbose")
                || parsed.originalArgs().contains("-v");
        int code;
        if (ex instanceof PolicyException pe) {
            err.println(pe.render());
            int n = pe.errorCount();
            err.println(n == 1 ? "1 error" : n + " errors");
            code = ExitCodes.BAD_INPUT;
        } else if (ex instanceof HookLoadException he) {
            he.problems().forEach(p -> err.println("syscage: " + p));
            code = ExitCodes.BAD_INPUT;
        } else if (ex instanceof UserException ue) {
            err.println("syscage: " + ue.getMessage());
            code = ue.exitCode();
        } else {
            err.println("syscage: internal error: " + ex + (verbose ? "" : " (run with --verbose for details)"));
            code = ExitCodes.INTERNAL;
        }
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
        return code;
    }
}
