package dev.syscage.cli;

import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.export.RuntimeLint;
import dev.syscage.policy.export.SpoProfile;
import dev.syscage.policy.export.SupervisedActions;
import dev.syscage.policy.export.UnexportedSections;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.oci.ExportOptions;
import dev.syscage.policy.oci.ExportResult;
import dev.syscage.policy.oci.OciExporter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code syscage export POLICY --format oci|spo}: a policy to Docker/OCI seccomp JSON, or to a
 * Kubernetes Security Profiles Operator SeccompProfile object made from that JSON. Actions that
 * need syscage's supervisor (trace, notify) and the Landlock sections, which no container runtime
 * applies, are refused or degraded first. See docs/oci.md.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Export a policy as an OCI seccomp profile (docker run --security-opt seccomp=FILE)",
            "or as a Kubernetes Security Profiles Operator SeccompProfile object (--format spo)."
        })
public final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PolicyOptions policyOptions;

    @Parameters(index = "0", paramLabel = "POLICY", description = "The policy file (YAML); - reads standard input.")
    Path policyFile;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            defaultValue = "oci",
            description = "oci (JSON, default) or spo (SeccompProfile YAML).")
    String format;

    @Option(
            names = "--api-version",
            paramLabel = "VERSION",
            defaultValue = "v1",
            description = "With --format spo: the SeccompProfile version, v1 (stored, default) or v1beta1.")
    String apiVersion;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            description = "Where to write (default and -: standard output).")
    Path output;

    @Option(
            names = "--degrade",
            paramLabel = "MODE",
            defaultValue = "none",
            description = "What to do with rules OCI cannot express, with trace/notify actions and with Landlock"
                    + " sections: none (refuse), errno (deny those calls with EPERM), allow; either drops the Landlock"
                    + " sections.")
    String degrade;

    @Override
    public Integer call() throws IOException {
        if (!format.equals("oci") && !format.equals("spo")) {
            throw UserException.badInput("unknown export format '" + format + "' (choose oci or spo)");
        }
        String version = apiVersion.replaceFirst("^" + java.util.regex.Pattern.quote(SpoProfile.GROUP + "/"), "");
        if (!SpoProfile.VERSIONS.contains(version)) {
            throw UserException.badInput("unknown --api-version '" + apiVersion + "' (choose "
                    + String.join(" or ", SpoProfile.VERSIONS) + ")");
        }
        ExportOptions.Degrade d;
        try {
            d = ExportOptions.Degrade.valueOf(degrade.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw UserException.badInput("unknown --degrade '" + degrade + "' (choose none, errno or allow)");
        }
        Policy loaded = policyOptions.load(policyFile, List.of());
        UnexportedSections.Result landlock = UnexportedSections.landlock(loaded, d, InputFile.display(policyFile));
        UnexportedSections.Result isolation = UnexportedSections.isolation(loaded, d, InputFile.display(policyFile));
        List<Diagnostic> refused = new ArrayList<>(landlock.errors());
        refused.addAll(isolation.errors());
        SupervisedActions.Result plain;
        try {
            plain = SupervisedActions.replace(loaded, d);
        } catch (PolicyException e) {
            List<Diagnostic> all = new ArrayList<>(e.diagnostics());
            all.addAll(refused);
            throw new PolicyException(all);
        }
        if (!refused.isEmpty()) {
            throw new PolicyException(refused);
        }
        Policy policy = plain.policy();
        ExportResult r = OciExporter.exportWithWarnings(policy, new ExportOptions(d));
        List<String> warnings = new ArrayList<>(landlock.warnings());
        warnings.addAll(isolation.warnings());
        warnings.addAll(plain.warnings());
        warnings.addAll(r.warnings());
        warnings.addAll(RuntimeLint.check(policy));
        String text = r.json();
        if (format.equals("spo")) {
            SpoProfile.Result spo;
            try {
                spo = SpoProfile.fromOci(
                        r.json(),
                        policy.name(),
                        policy.description(),
                        apiVersion.replaceFirst("^" + java.util.regex.Pattern.quote(SpoProfile.GROUP + "/"), ""));
            } catch (IllegalArgumentException e) {
                throw new UserException(ExitCodes.FAILURE, InputFile.display(policyFile) + ": " + e.getMessage());
            }
            warnings.addAll(spo.warnings());
            text = spo.yaml();
        }
        for (String w : warnings) {
            // warnings about a rule already start with its file:line
            String placed = w.replaceFirst("^(\\S+:\\d+(:\\d+)?): ", "$1: warning: ");
            spec.commandLine()
                    .getErr()
                    .println(!placed.equals(w) ? placed : InputFile.display(policyFile) + ": warning: " + w);
        }
        Lints.report(loaded, spec.commandLine().getErr(), policyOptions.warnings());
        OutputFile.writeText(
                output == null ? Path.of("-") : output, text, spec.commandLine().getOut());
        return ExitCodes.OK;
    }
}
