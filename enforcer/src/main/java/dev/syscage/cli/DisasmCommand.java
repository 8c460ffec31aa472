package dev.syscage.cli;

import dev.syscage.policy.bpf.Bpf;
import dev.syscage.policy.bpf.Disassembler;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.Verifier;
import dev.syscage.policy.bpf.VerifierError;
import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.input.BoundedRead;
import dev.syscage.policy.input.InputLimits;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.rewrite.RunRewrites;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code syscage disasm POLICY} or {@code syscage disasm --bpf FILE}: the program, readable. A
 * policy's Landlock ruleset, which is no part of the program, comes first as {@code ;} comment
 * lines, so a reader of the disassembly sees it and a tool reading it skips it.
 */
@Command(
        name = "disasm",
        mixinStandardHelpOptions = true,
        description = "Disassemble a policy's compiled program, or a raw BPF file (verified first).")
public final class DisasmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PolicyOptions policyOptions;

    @ArgGroup(multiplicity = "1")
    Source source;

    static final class Source {
        @Parameters(index = "0", paramLabel = "POLICY", description = "The policy file (YAML); - reads standard input.")
        Path policy;

        @Option(
                names = "--bpf",
                paramLabel = "FILE",
                description = "A raw struct sock_filter file; - reads standard input.")
        Path bpf;
    }

    @Mixin
    RewriteOptions rewrite;

    @Option(names = "--no-optimize", description = "Show the unoptimized program.")
    boolean noOptimize;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (source.bpf != null) {
            String name = InputFile.display(source.bpf);
            byte[] bytes = readBpf(source.bpf, SyscageCommand.stdio(spec));
            if (bytes.length % 8 != 0) {
                throw UserException.badInput(name + ": " + bytes.length
                        + " bytes is not a whole number of 8-byte instructions (struct sock_filter)");
            }
            Program p = Program.fromBytes(bytes);
            out.print(Disassembler.disassemble(p));
            List<VerifierError> errors = Verifier.verify(p);
            for (VerifierError e : errors) {
                spec.commandLine().getErr().println(name + ": " + e);
            }
            out.flush();
            return errors.isEmpty() ? ExitCodes.OK : ExitCodes.BAD_INPUT;
        }
        RunRewrites.Rewritten rewritten = rewrite.apply(
                policyOptions.load(source.policy, List.of()), spec.commandLine().getErr());
        Policy policy = rewritten.policy();
        Lints.report(policy, spec.commandLine().getErr(), policyOptions.warnings());
        Program p = PolicyCompiler.compile(
                        rewritten.filter(), noOptimize ? CompileOptions.unoptimized() : CompileOptions.defaults())
                .program();
        out.print(PolicyText.disassembly(policy, p));
        out.flush();
        return ExitCodes.OK;
    }

    /**
     * A raw program, at most the kernel's BPF_MAXINSNS instructions: anything longer could not
     * be installed, and reading stops there ({@code /dev/zero} is answered at once).
     */
    static byte[] readBpf(Path file, Stdio stdio) {
        BoundedRead.Input in =
                InputFile.read(file, InputLimits.MAX_BPF_BYTES, stdio, "--bpf").input();
        if (!in.complete()) {
            throw UserException.badInput(InputFile.display(file) + ": more than " + Bpf.BPF_MAXINSNS + " instructions ("
                    + InputLimits.MAX_BPF_BYTES + " bytes), the most the kernel accepts; reading stopped at byte "
                    + (InputLimits.MAX_BPF_BYTES + 1));
        }
        return in.bytes();
    }
}
