package dev.syscage.cli;

import dev.syscage.learn.DeniedCalls;
import dev.syscage.learn.FsGrouping;
import dev.syscage.learn.RuleInsertion;
import dev.syscage.learn.Suggestion;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.landlock.FsAccess;
import dev.syscage.policy.validate.PolicyLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code syscage suggest LOG}: like audit2allow, the rules that would have allowed the calls an
 * audit log says were denied (an enforcing run's supervise-rule denials, or a complain run's
 * complaints); with {@code --merge POLICY}, that policy with them put first. docs/learn.md,
 * "suggest".
 */
@Command(
        name = "suggest",
        mixinStandardHelpOptions = true,
        description = "Propose the rules that would have allowed the calls an audit log (run --log, or run --complain"
                + " --log) says were denied.",
        footer = {
            "",
            "Exit status: 0 rules written (or nothing was denied); 1 the merged policy would not load;",
            "2 bad input (an unreadable log, a line that is not an audit record: file:line)."
        })
public final class SuggestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PolicyOptions policyOptions;

    @Parameters(index = "0", paramLabel = "LOG", description = "The audit log (JSON Lines; - for standard input).")
    String log;

    @Option(
            names = "--merge",
            paramLabel = "POLICY",
            description = "Print this policy with the rules put first in its lists.")
    Path merge;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            description = "Where to write (default or -: standard output).")
    String output;

    @Option(
            names = "--no-args",
            description = "No argument conditions (socket domains, ioctl requests, prctl options).")
    boolean noArgs;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        DeniedCalls denied = read();
        List<String> unknown = new ArrayList<>();
        Suggestion.Rules rules = Suggestion.rules(denied.filter(), Arch.nativeArch(), !noArgs, unknown);
        String supervise = Suggestion.superviseRules(denied.supervisor());
        String text = merge == null
                ? standalone(denied, rules, supervise, filesystem(denied, FsAccess.ALL))
                : merged(denied, rules, supervise);
        write(text);
        if (!unknown.isEmpty()) {
            err.println("syscage: warning: left out syscalls this machine's table does not know: "
                    + String.join(", ", unknown));
        }
        if (!denied.skipped().isEmpty()) {
            err.println("syscage: left out: "
                    + denied.skipped().entrySet().stream()
                            .map(e -> e.getValue() + " " + e.getKey())
                            .collect(Collectors.joining(", "))
                    + " record(s) (docs/learn.md#suggest)");
        }
        err.printf(
                "syscage: %d record(s), %d denied call(s) of %d syscall(s)%s%n",
                denied.records(),
                total(denied.filter()) + total(denied.supervisor()),
                denied.filter().counts().size() + denied.supervisor().counts().size(),
                denied.fs().isEmpty() ? "" : ", " + total(denied.fs()) + " file-system denial(s)");
        err.flush();
        return ExitCodes.OK;
    }

    private DeniedCalls read() {
        DeniedCalls denied = new DeniedCalls();
        AuditLogInput.forEach(log, spec, denied::add);
        return denied;
    }

    private String standalone(DeniedCalls d, Suggestion.Rules rules, String supervise, String fs) {
        StringBuilder sb =
                new StringBuilder("# Suggested by 'syscage suggest " + log + "': the rules that would have allowed"
                        + " the " + (total(d.filter()) + total(d.supervisor()) + total(d.fs()))
                        + " denied call(s) of the log.\n"
                        + "# Put them first in the policy's lists (first match wins), or use --merge POLICY.\n");
        if (rules.isEmpty() && supervise.isEmpty() && fs.isEmpty()) {
            return sb.append(
                            d.skipped().isEmpty()
                                    ? "# Nothing was denied.\n"
                                    : "# No rule to suggest: what was left out is on standard error.\n")
                    .toString();
        }
        if (!rules.first().isEmpty()) {
            sb.append("rules:   # first: before the rules that denied these calls\n")
                    .append(rules.first());
        }
        if (!rules.last().isEmpty()) {
            sb.append(rules.first().isEmpty() ? "rules:   # last" : "  # last")
                    .append(": after the policy's rules (only its default denied these calls)\n")
                    .append(rules.last());
        }
        if (!supervise.isEmpty()) {
            sb.append("supervise:\n  rules:\n").append(supervise);
        }
        if (!fs.isEmpty()) {
            sb.append("filesystem:   # add to its allow list (Landlock grants the union of the rules)\n  allow:\n")
                    .append(fs);
        }
        return sb.toString();
    }

    /** The filesystem: allow items for the rights {@code handled} (a policy's confine set). */
    private static String filesystem(DeniedCalls denied, long handled) {
        return Suggestion.filesystemRules(denied.fs(), FsGrouping.Places.ofThisMachine(), handled);
    }

    private String merged(DeniedCalls denied, Suggestion.Rules rules, String supervise) throws IOException {
        // unreadable or broken: the user's to fix first (file:line:column)
        long handled = policyOptions.load(merge, List.of()).landlock().handledFs();
        String fs = filesystem(denied, handled == 0 ? FsAccess.ALL : handled);
        String text;
        try {
            text = RuleInsertion.insert(
                    Files.readString(merge, StandardCharsets.UTF_8), rules.first(), rules.last(), supervise, fs);
        } catch (RuleInsertion.CannotMerge e) {
            throw UserException.badInput(merge + ": " + e.getMessage());
        }
        try {
            PolicyLoader.loadString(merge.toString(), text, policyOptions.loadOptions(List.of()));
        } catch (PolicyException e) {
            throw new UserException(
                    ExitCodes.FAILURE,
                    "the policy with the suggested rules would not load; nothing was " + "written:\n" + e.getMessage());
        }
        return text;
    }

    private void write(String text) {
        OutputFile.writeText(
                Path.of(output == null ? "-" : output), text, spec.commandLine().getOut());
    }

    private static long total(DeniedCalls.Part p) {
        return p.counts().values().stream().mapToLong(Long::longValue).sum();
    }

    private static long total(DeniedCalls.FsPart p) {
        return p.calls().values().stream().mapToLong(Long::longValue).sum();
    }
}
