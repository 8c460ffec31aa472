package dev.syscage.cli;

import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.ProgramFormats;
import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.CompiledFilter;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.input.BoundedRead;
import dev.syscage.policy.input.InputLimits;
import dev.syscage.policy.isolate.IsolationText;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.RulesetJson;
import dev.syscage.policy.landlock.RulesetText;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.rewrite.RunRewrites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code syscage compile POLICY -o FILE}: policy to BPF, and with {@code --landlock-out} the
 * policy's Landlock ruleset in the launcher's text form, so that {@code syscage-launch --filter
 * F.bpf --landlock F.landlock -- prog} applies both without syscage. The raw and C formats carry
 * only the program: a policy with Landlock sections compiled to them without
 * {@code --landlock-out} gets a warning that part of it is not in the output.
 */
@Command(
        name = "compile",
        mixinStandardHelpOptions = true,
        description = "Compile a policy to a seccomp BPF program (and its Landlock ruleset, with --landlock-out).")
public final class CompileCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PolicyOptions policyOptions;

    @Parameters(index = "0", paramLabel = "POLICY", description = "The policy file (YAML); - reads standard input.")
    Path policyFile;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            description =
                    "Where to write the program (default: standard output; raw needs -o FILE, or -o - where standard"
                            + " output is no terminal).")
    Path output;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            defaultValue = "raw",
            description = "raw (struct sock_filter bytes), disasm, c or json. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(
            names = "--arch",
            split = ",",
            paramLabel = "ARCH",
            description = "Compile for these architectures instead of the policy's (x86_64, aarch64, i386).")
    List<String> arch = new ArrayList<>();

    @Option(names = "--no-optimize", description = "Skip every optimization (same decisions, larger program).")
    boolean noOptimize;

    @Option(
            names = "--no-pass",
            split = ",",
            paramLabel = "PASS",
            description = "Skip these optimizer passes: "
                    + "coalesce-ranges, weighted-tree, shared-tails, redundant-loads (docs/compiler.md).")
    List<String> noPass = new ArrayList<>();

    @Option(
            names = "--stats",
            description = "Print each compiler step's program length before and after, and its time.")
    boolean stats;

    @Option(
            names = "--landlock-out",
            paramLabel = "FILE",
            description = "Also write the policy's Landlock ruleset (filesystem, network, scope) to FILE, for "
                    + "syscage-launch --landlock FILE.")
    Path landlockOut;

    @Option(
            names = "--frequency",
            paramLabel = "FILE",
            description = "Syscall frequencies (lines 'name count') to shape the search tree; - reads standard input.")
    Path frequency;

    @Mixin
    RewriteOptions rewrite;

    @Override
    public Integer call() throws IOException {
        ProgramFormats fmt = Formats.parse(format);
        if (fmt == ProgramFormats.RAW && output == null) {
            throw UserException.badInput(
                    "--format raw writes binary: give an output file with -o FILE" + " (-o - for standard output)");
        }
        if (fmt == ProgramFormats.RAW) { // before anything is said on stderr
            OutputFile.refuseTerminal(output, SyscageCommand.stdio(spec), "the raw program");
        }
        if (InputFile.isDash(landlockOut) && (output == null || InputFile.isDash(output))) {
            throw UserException.badInput(
                    "--landlock-out -: standard output already gets the program; give one of them a file");
        }
        Policy loaded = policyOptions.load(
                policyFile, arch.stream().map(PolicyOptions::arch).toList());
        RunRewrites.Rewritten rewritten =
                rewrite.apply(loaded, spec.commandLine().getErr());
        Policy policy = rewritten.policy();
        CompiledFilter filter = PolicyCompiler.compile(
                rewritten.filter(), new CompileOptions(!noOptimize, readFrequency()).without(noPass));
        Program p = filter.program();
        if (stats) {
            spec.commandLine().getErr().print(filter.stats().render());
        }
        Lints.report(policy, spec.commandLine().getErr(), policyOptions.warnings());
        if (fmt == ProgramFormats.RAW) {
            OutputFile.writeBinary(output, p.toBytes(), SyscageCommand.stdio(spec), "the raw program");
        } else {
            String text = switch (fmt) {
                case DISASM -> PolicyText.disassembly(policy, p);
                case C ->
                    ProgramFormats.toC(
                            p,
                            "syscage_filter",
                            "syscage policy " + policy.name() + " (" + p.length() + " instructions)");
                default ->
                    ProgramFormats.toJson(
                            p,
                            policy.name(),
                            List.of(
                                    "\"landlock\": " + RulesetJson.toJson(policy.landlock(), "  "),
                                    "\"isolate\": " + IsolationText.toJson(policy.isolation(), "  ")));
            };
            OutputFile.writeText(
                    output == null ? Path.of("-") : output,
                    text,
                    spec.commandLine().getOut());
        }
        if (output != null && !InputFile.isDash(output)) {
            spec.commandLine()
                    .getErr()
                    .printf(
                            "%s: %d instructions (%s) -> %s%n",
                            InputFile.display(policyFile),
                            p.length(),
                            policy.arches().stream()
                                    .map(a -> a.arch().toString())
                                    .reduce((a, b) -> a + ", " + b)
                                    .orElse(""),
                            output);
        }
        writeLandlock(policy.landlock(), fmt);
        return ExitCodes.OK;
    }

    /** {@code --landlock-out}, or the warning that the output lacks the ruleset. */
    private void writeLandlock(LandlockRuleset ruleset, ProgramFormats fmt) {
        if (landlockOut != null) {
            OutputFile.writeText(
                    landlockOut,
                    new String(ruleset.toBytes(), StandardCharsets.UTF_8),
                    spec.commandLine().getOut());
            spec.commandLine()
                    .getErr()
                    .printf(
                            "%s: Landlock ruleset (%s) -> %s%n",
                            InputFile.display(policyFile),
                            ruleset.isEmpty()
                                    ? "empty: the policy has no filesystem, network or scope section"
                                    : String.join(", ", RulesetText.sections(ruleset)) + "; ABI " + ruleset.abiNeeded()
                                            + "+",
                            landlockOut);
        } else if (!ruleset.isEmpty() && (fmt == ProgramFormats.RAW || fmt == ProgramFormats.C)) {
            spec.commandLine()
                    .getErr()
                    .printf(
                            "%s: warning: the policy's Landlock sections (%s) are not in the %s output;"
                                    + " write them with --landlock-out FILE and give both to syscage-launch (--filter F.bpf"
                                    + " --landlock FILE)%n",
                            InputFile.display(policyFile),
                            String.join(", ", RulesetText.sections(ruleset)),
                            fmt == ProgramFormats.RAW ? "raw" : "C");
        }
        spec.commandLine().getErr().flush();
    }

    private Map<String, Long> readFrequency() {
        Map<String, Long> m = new HashMap<>();
        if (frequency == null) {
            return m;
        }
        InputFile.Read read =
                InputFile.read(frequency, InputLimits.MAX_FREQUENCY_BYTES, SyscageCommand.stdio(spec), "--frequency");
        BoundedRead.Input in = read.input();
        if (!in.complete()) {
            throw UserException.badInput(read.display() + ": larger than "
                    + InputLimits.bytes(InputLimits.MAX_FREQUENCY_BYTES) + ", the size limit for a frequency file");
        }
        int n = 0;
        for (String line :
                new String(in.bytes(), StandardCharsets.UTF_8).lines().toList()) {
            n++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] f = t.split("\\s+");
            try {
                m.put(f[0], Long.parseLong(f[1]));
            } catch (RuntimeException e) {
                throw UserException.badInput(read.display() + ":" + n + ": expected 'syscall count', got '" + t + "'");
            }
        }
        return m;
    }
}
