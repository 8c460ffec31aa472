package dev.syscage.cli;

import dev.syscage.learn.Learner;
import dev.syscage.learn.MergeBase;
import dev.syscage.learn.Observations;
import dev.syscage.learn.ProfileWriter;
import dev.syscage.nativeaccess.LinuxCLibrary;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.rewrite.RunRewrites;
import dev.syscage.policy.validate.PolicyLoader;
import dev.syscage.run.LauncherLocator;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code syscage learn -o app.yaml -- prog args...}: runs the program once with every syscall
 * allowed and recorded by the supervisor, and writes a profile that allows the syscalls it made
 * and, through Landlock, the files it touched.
 * docs/learn.md describes the profile it writes.
 */
@Command(
        name = "learn",
        mixinStandardHelpOptions = true,
        description =
                "Run a program, allowing and recording every syscall, and write a profile that allows what it made"
                        + " (its syscalls, and through Landlock the paths it read, wrote and executed).",
        footer = {
            "",
            "Exit status: 0 the profile was written (also when the program failed: a warning names its status);",
            "1 the profile could not be written; 2 bad input (nothing was run)."
        })
public final class LearnCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PolicyOptions policyOptions;

    @Option(
            names = {"-o", "--output"},
            required = true,
            paramLabel = "FILE",
            description = "Where to write the profile (YAML).")
    Path output;

    @Option(
            names = "--args",
            description =
                    "Add argument conditions where they are stable: socket domains, ioctl requests, prctl options.")
    boolean withArgs;

    @Option(
            names = "--merge",
            paramLabel = "FILE",
            description =
                    "Also allow the syscalls this profile allows unconditionally (widen it with this run); - reads"
                            + " standard input.")
    Path merge;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description = "The profile's name (default: the output file's name).")
    String name;

    @Option(
            names = "--mode",
            paramLabel = "MODE",
            description = "How the calls reach the supervisor: trace (ptrace; the program sees what it would see "
                    + "without syscage) or notify (seccomp user notification; free for strace and gdb, but a caught signal "
                    + "can make a call fail with EINTR). Default: trace; notify where syscage cannot trace.")
    String mode;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "The program and its arguments (after --).")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (InputFile.isDash(output)) {
            throw UserException.badInput(
                    "-o -: the program's own output goes to standard output too, and would be mixed"
                            + " into the profile; give a file (-o app.yaml); nothing was run");
        }
        Path dir = output.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw UserException.badInput(
                    output + ": cannot write there (" + dir + " is not a writable directory); nothing was run");
        }
        Optional<MergeBase> base = Optional.empty();
        if (merge != null) {
            try {
                base = Optional.of(MergeBase.of(InputFile.display(merge), policyOptions.load(merge, List.of())));
            } catch (IllegalArgumentException e) {
                throw UserException.badInput(e.getMessage());
            }
        }
        // the learn policy traces every call: trace mode unless this process cannot trace (RunRewrites' mode stage)
        RunRewrites.Choices how = RewriteOptions.withModeAnswers(
                RunRewrites.Choices.of(RewriteOptions.parseMode(mode, "; nothing was run"), false));
        Path launcher = LauncherLocator.find()
                .orElseThrow(() -> new UserException(
                        ExitCodes.FAILURE,
                        "cannot find " + LauncherLocator.NAME
                                + "; build it with 'make -C native' or set SYSCAGE_LAUNCH"));
        Learner.Result r = new Learner(LinuxCLibrary.instance(), err).run(launcher, command, how);
        Observations seen = r.seen();
        String cmd = String.join(" ", command);
        ProfileWriter.Written w = ProfileWriter.write(
                seen,
                ProfileWriter.options(
                        profileName(), "learned from: " + cmd + " on " + LocalDate.now(), withArgs, base));
        // never write a broken profile; its lints are shown as every command that loads a policy shows them
        Policy learned = PolicyLoader.loadString(output.toString(), w.yaml(), policyOptions.loadOptions(List.of()));
        OutputFile.writeText(output, w.yaml(), err);
        Lints.report(learned, err, policyOptions.warnings());
        if (!w.unknown().isEmpty()) {
            err.println(
                    "syscage: warning: left out syscalls the table does not know: " + String.join(", ", w.unknown()));
        }
        base.ifPresent(m -> {
            List<String> dropped = m.conditional().stream()
                    .filter(n -> !seen.counts().containsKey(n))
                    .toList();
            if (!dropped.isEmpty()) {
                err.println(
                        "syscage: warning: " + m.source() + " allows these only under conditions, which are not carried"
                                + " over, and this run did not make them: " + String.join(", ", dropped));
            }
        });
        for (String l : w.files().leftOut()) {
            err.println(
                    "syscage: warning: no file-system rule for " + l + "; the profile has a comment where it would go");
        }
        seen.footprint()
                .refused()
                .forEach((call, n) -> err.println("syscage: warning: the program made " + call + " ("
                        + n + (n == 1 ? " call" : " calls")
                        + "), which any Landlock domain refuses: under the learned profile it"
                        + " fails with EPERM"));
        if (r.exitCode() != 0) {
            err.println("syscage: warning: " + command.get(0) + " failed (exit status " + r.exitCode()
                    + "); the profile has what it did until then");
        }
        err.printf(
                "syscage: saw %d distinct syscalls (%d calls) and %d distinct paths (%d launcher call(s) before"
                        + " the program's execve not counted); wrote %s with %d file-system path rule(s)%n",
                seen.counts().size(),
                seen.totalCalls(),
                seen.distinctPaths(),
                seen.launcherCalls(),
                output,
                w.files().rules().stream().mapToInt(x -> x.paths().size()).sum());
        err.flush();
        return ExitCodes.OK;
    }

    private String profileName() {
        if (name != null) {
            return name;
        }
        String file = output.getFileName().toString();
        return file.endsWith(".yaml") ? file.substring(0, file.length() - 5) : file;
    }
}
