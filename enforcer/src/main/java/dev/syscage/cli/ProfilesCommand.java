package dev.syscage.cli;

import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.group.Groups;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.PolicyLoader;
import dev.syscage.run.ProfileCatalog;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code syscage profiles}: the shipped profiles, one line each. */
@Command(
        name = "profiles",
        mixinStandardHelpOptions = true,
        description = "List the shipped profiles, or show one with the shipped groups it uses expanded.",
        subcommands = ProfilesCommand.Show.class)
public final class ProfilesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PolicyOptions policyOptions;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (String name : ProfileCatalog.names()) {
            try {
                Policy p = load(name, policyOptions);
                out.printf("%-14s %s%n", name, p.description());
                Lints.report(p, spec.commandLine().getErr(), policyOptions.warnings());
            } catch (PolicyException e) {
                // a fragment meant only for include:, or a broken file on the profile path
                out.printf(
                        "%-14s (cannot be used alone: %s)%n",
                        name, e.diagnostics().get(0).message());
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    static Policy load(String name, PolicyOptions options) {
        String text = ProfileCatalog.text(name)
                .orElseThrow(() -> UserException.badInput("no shipped profile '" + name
                        + "'; the shipped profiles are: " + String.join(", ", ProfileCatalog.names())));
        return PolicyLoader.loadString(ProfileCatalog.displayName(name), text, options.loadOptions(List.of()));
    }

    /** {@code syscage profiles show NAME}: the profile's text, then the shipped groups of each rule expanded. */
    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Print a shipped profile with the shipped groups it uses expanded.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        PolicyOptions policyOptions;

        @Parameters(paramLabel = "NAME", description = "A shipped profile.")
        String name;

        @Override
        public Integer call() {
            Policy p = load(name, policyOptions);
            Lints.report(p, spec.commandLine().getErr(), policyOptions.warnings());
            PrintWriter out = spec.commandLine().getOut();
            out.print(ProfileCatalog.text(name).orElseThrow());
            out.println();
            out.println("# Groups expanded, rule by rule (first match wins):");
            Groups groups = Groups.shipped();
            for (Policy.RuleSummary r : p.rules()) {
                out.printf(
                        "#  rule #%d (%s): %s%s%n",
                        r.index() + 1,
                        r.pos().fileLine(),
                        r.action(),
                        r.when() == null || r.when().isEmpty() ? "" : " when " + r.when());
                for (String s : r.syscalls()) {
                    if (s.startsWith("@") && groups.group(s.substring(1)).isPresent()) {
                        out.printf("#    %s = %s%n", s, String.join(" ", groups.syscalls(s.substring(1))));
                    } else {
                        out.printf("#    %s%n", s);
                    }
                }
            }
            out.flush();
            return ExitCodes.OK;
        }
    }
}
