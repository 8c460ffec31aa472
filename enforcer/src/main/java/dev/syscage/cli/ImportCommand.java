package dev.syscage.cli;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.input.InputLimits;
import dev.syscage.policy.oci.ImportOptions;
import dev.syscage.policy.oci.ImportResult;
import dev.syscage.policy.oci.OciImporter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code syscage import profile.json -o policy.yaml}: a Docker/OCI seccomp profile to a policy. */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        description = "Convert a Docker/OCI seccomp JSON profile to a syscage policy (see docs/oci.md).")
public final class ImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PolicyOptions common;

    @Parameters(
            index = "0",
            paramLabel = "PROFILE",
            description = "The OCI seccomp profile (JSON); - reads standard input.")
    Path profile;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            description = "Where to write the policy (default and -: standard output).")
    Path output;

    @Option(
            names = "--caps",
            split = ",",
            paramLabel = "CAP",
            description = "The container's capabilities for includes/excludes.caps (default: Docker's default set;"
                    + " 'default' stands for that set, so --caps default,CAP_SYS_ADMIN adds one).")
    List<String> caps;

    @Option(
            names = "--kernel",
            paramLabel = "VERSION",
            description = "Kernel release for minKernel (default: the running kernel).")
    String kernel;

    @Option(
            names = "--arch",
            split = ",",
            paramLabel = "ARCH",
            description =
                    "Architectures of the policy, host first (default: this machine's and what the profile lists for it).")
    List<String> arch = new ArrayList<>();

    @Option(
            names = "--no-runc-enosys",
            description = "Do not reproduce runc's ENOSYS answer for syscalls newer than the profile.")
    boolean noRuncEnosys;

    @Option(
            names = "--lenient",
            description = "Accept what runc accepts though it weakens the profile: deny entries naming no known syscall"
                    + " and unknown architectures are dropped (and listed) instead of refused.")
    boolean lenient;

    @Override
    public Integer call() throws IOException {
        Set<String> capSet = null;
        if (caps != null) {
            capSet = new LinkedHashSet<>();
            for (String c : caps) {
                if (c.equalsIgnoreCase("default")) {
                    capSet.addAll(ImportOptions.DOCKER_DEFAULT_CAPS);
                } else if (!c.isBlank()) {
                    capSet.add(c.strip());
                }
            }
        }
        List<Arch> arches = arch.stream().map(PolicyOptions::arch).toList();
        InputFile.Read read =
                InputFile.read(profile, InputLimits.MAX_OCI_PROFILE_BYTES, SyscageCommand.stdio(spec), "PROFILE");
        ImportResult r = OciImporter.importRead(
                read.display(), read.input(), new ImportOptions(capSet, arches, kernel, !noRuncEnosys, lenient));
        for (String w : r.warnings()) {
            spec.commandLine().getErr().println(read.display() + ": warning: " + w);
        }
        OutputFile.writeText(
                output == null ? Path.of("-") : output,
                r.yaml(),
                spec.commandLine().getOut());
        return ExitCodes.OK;
    }
}
