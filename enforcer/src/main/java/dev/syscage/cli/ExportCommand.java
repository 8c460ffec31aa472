package dev.syscage.cli;

import dev.syscage.policy.model.Policy;
import dev.syscage.policy.oci.ExportOptions;
import dev.syscage.policy.oci.ExportResult;
import dev.syscage.policy.oci.OciExporter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code syscage export POLICY --format oci}: a policy to Docker/OCI seccomp JSON. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a policy as an OCI seccomp profile (docker run --security-opt seccomp=FILE).")
public final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PolicyOptions policyOptions;

    @Parameters(index = "0", paramLabel = "POLICY", description = "The policy file (YAML).")
    Path policyFile;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "oci", description = "oci (the only format so far).")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to write (default: standard output).")
    Path output;

    @Option(names = "--degrade", paramLabel = "MODE", defaultValue = "none",
            description = "What to do with rules OCI cannot express: none (refuse), errno (deny those syscalls), allow.")
    String degrade;

    @Override
    public Integer call() throws IOException {
        if (!format.equals("oci")) {
            throw UserException.badInput("unknown export format '" + format + "' (choose oci)");
        }
        ExportOptions.Degrade d;
        try {
            d = ExportOptions.Degrade.valueOf(degrade.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw UserException.badInput("unknown --degrade '" + degrade + "' (choose none, errno or allow)");
        }
        Policy policy = policyOptions.load(policyFile, List.of());
        ExportResult r = OciExporter.exportWithWarnings(policy, new ExportOptions(d));
        for (String w : r.warnings()) {
            // warnings about a rule already start with its file:line
            String placed = w.replaceFirst("^(\\S+:\\d+(:\\d+)?): ", "$1: warning: ");
            spec.commandLine().getErr().println(!placed.equals(w) ? placed : policyFile + ": warning: " + w);
        }
        if (output == null) {
            spec.commandLine().getOut().print(r.json());
            spec.commandLine().getOut().flush();
        } else {
            CompileCommand.writeAtomically(output, r.json().getBytes(StandardCharsets.UTF_8));
        }
        return ExitCodes.OK;
    }
}
