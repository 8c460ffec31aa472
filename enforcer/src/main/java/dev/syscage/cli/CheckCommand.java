package dev.syscage.cli;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Constants;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.Disassembler;
import dev.syscage.policy.bpf.Interpreter;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.eval.Decision;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.isolate.IsolationText;
import dev.syscage.policy.landlock.RulesetText;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.parse.Suggestions;
import dev.syscage.policy.rewrite.RunRewrites;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code syscage check POLICY SYSCALL [ARG...]}: what the compiled filter does with one call,
 * which rule decided, and how many instructions it took. The answer is computed twice, by the
 * interpreter on the compiled program and on the policy itself; a disagreement is a bug. Then
 * one line says what the policy's Landlock domain confines, since a call the filter allows can
 * still be refused there.
 */
@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        description = "Show the action a policy takes on one syscall, the rule that decides it and its cost.")
public final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PolicyOptions policyOptions;

    @Parameters(index = "0", paramLabel = "POLICY", description = "The policy file (YAML); - reads standard input.")
    Path policyFile;

    @Parameters(index = "1", paramLabel = "SYSCALL", description = "A syscall name or number.")
    String syscall;

    @Parameters(
            index = "2..*",
            paramLabel = "ARG",
            description = "Up to six arguments: numbers (12, 0x1f, -100) or constants (O_RDWR|O_CLOEXEC).")
    List<String> args = new ArrayList<>();

    @Option(
            names = "--arch",
            paramLabel = "ARCH",
            description = "Architecture of the call (default: the policy's first).")
    String arch;

    @Mixin
    RewriteOptions rewrite;

    @Option(names = "--no-optimize", description = "Check the unoptimized program.")
    boolean noOptimize;

    @Option(names = "--trace", description = "Print the instructions executed.")
    boolean trace;

    @Override
    public Integer call() {
        if (args.size() > 6) {
            throw UserException.badInput("a syscall has at most 6 arguments, got " + args.size());
        }
        RunRewrites.Rewritten rewritten = rewrite.apply(
                policyOptions.load(policyFile, List.of()), spec.commandLine().getErr());
        // the filter's own policy: the run's rewrites, with the calls notify mode watches routed too
        Policy policy = rewritten.filter();
        Lints.report(rewritten.policy(), spec.commandLine().getErr(), policyOptions.warnings());
        Arch a =
                arch != null ? PolicyOptions.arch(arch) : policy.arches().get(0).arch();
        SyscallTable table = SyscallTable.of(a);
        int nr = number(table, syscall);
        long[] values = new long[6];
        for (int i = 0; i < args.size(); i++) {
            values[i] = argument(a, args.get(i));
        }
        SeccompData data = new SeccompData(nr, a.auditArch(), 0, values);
        Program program = PolicyCompiler.compile(
                        policy, noOptimize ? CompileOptions.unoptimized() : CompileOptions.defaults())
                .program();
        Interpreter.Result r = trace ? Interpreter.runTraced(program, data) : Interpreter.run(program, data);
        Decision d = ReferenceEvaluator.decide(policy, data);
        PrintWriter out = spec.commandLine().getOut();
        String name = table.byNumber(nr).map(Syscall::name).orElse("syscall " + Integer.toUnsignedString(nr));
        out.printf("%s (nr %d) on %s: %s%n", name, nr, a, PolicyText.describe(r.action()));
        out.printf("  decided by %s%n", d.rule().describe());
        out.printf("  %d of %d instructions executed%n", r.executed(), program.length());
        if (trace) {
            String[] lines = Disassembler.disassemble(
                            program, n -> table.byNumber(n).map(Syscall::name).orElse(null))
                    .split("\n");
            for (int pc : r.trace()) {
                out.println("    " + lines[pc]);
            }
        }
        out.println(RulesetText.summary(policy.landlock()));
        if (!policy.landlock().isEmpty()) {
            out.println("  a call the filter allows may still be refused by Landlock (EACCES, EPERM) by its path, port"
                    + " or target");
        }
        if (!policy.isolation().isEmpty()) {
            out.println(IsolationText.summary(policy.isolation()));
        }
        out.flush();
        if (r.ret() != d.action().seccompRet()) {
            spec.commandLine()
                    .getErr()
                    .printf(
                            "syscage: internal error: the compiled program returns %s but the policy says %s;"
                                    + " please report this with the policy and the command line%n",
                            PolicyText.describe(r.action()), PolicyText.describe(d.action()));
            return ExitCodes.INTERNAL;
        }
        return ExitCodes.OK;
    }

    private static int number(SyscallTable table, String s) {
        OptionalLong n = parseNumber(s);
        if (n.isPresent()) {
            return (int) n.getAsLong();
        }
        return table.byName(s)
                .map(Syscall::nr)
                .orElseThrow(() -> UserException.badInput("unknown syscall '" + s + "' on " + table.arch()
                        + Suggestions.hint(
                                s, table.all().stream().map(Syscall::name).toList())));
    }

    private static long argument(Arch arch, String s) {
        long v = 0;
        for (String part : s.split("\\|")) {
            String t = part.strip();
            OptionalLong n = parseNumber(t);
            if (n.isEmpty()) {
                n = Constants.of(arch).value(t);
            }
            if (n.isEmpty()) {
                n = Constants.errno(t);
            }
            v |= n.orElseThrow(() -> UserException.badInput(
                    "'" + t + "' is neither a number nor a known constant" + Suggestions.hint(t, constantNames(arch))));
        }
        return v;
    }

    /** The names an argument may use: the architecture's constants and the errno names. */
    private static List<String> constantNames(Arch arch) {
        List<String> names = new ArrayList<>(Constants.of(arch).names());
        names.addAll(Constants.errnoNames());
        return names;
    }

    static OptionalLong parseNumber(String s) {
        try {
            boolean neg = s.startsWith("-");
            String t = neg ? s.substring(1) : s;
            long v;
            if (t.startsWith("0x") || t.startsWith("0X")) {
                v = Long.parseUnsignedLong(t.substring(2), 16);
            } else if (t.length() > 1 && t.startsWith("0")) {
                v = Long.parseUnsignedLong(t.substring(1), 8);
            } else {
                v = Long.parseUnsignedLong(t);
            }
            return OptionalLong.of(neg ? -v : v);
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
