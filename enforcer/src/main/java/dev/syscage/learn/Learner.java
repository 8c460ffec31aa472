package dev.syscage.learn;

import dev.syscage.nativeaccess.LinuxCLibrary;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.rewrite.RunRewrites;
import dev.syscage.policy.rewrite.SupervisionMode;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import dev.syscage.run.NotifyRunner;
import dev.syscage.run.Runner;
import dev.syscage.run.TraceRunner;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.hooks.HookChain;
import dev.syscage.supervise.session.SupervisorSession;
import dev.syscage.supervise.trace.TraceSupervisor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Runs a program once with every syscall sent to the supervisor, which allows each one and lets
 * a {@link Recorder} count it. The filter routes every native syscall, including numbers the
 * table does not know; other architectures are killed, as the learned profile will do. In trace
 * mode the calls arrive through ptrace, in notify mode through the seccomp listener (each costs
 * a third as much, and the program stays free for strace and gdb); the recorder sees the same.
 */
public final class Learner {
    /** The filter of a learn run, as a policy anyone can read and check. */
    static final String TRACE_ALL = """
            version: 1
            name: learn
            description: every syscall to the supervisor, which allows and records it
            default: trace
            unknown: trace
            bad_arch: kill
            supervise: {log: none, default: allow}
            """;

    /** The program's exit status and what it did. */
    public record Result(int exitCode, Observations seen) {}

    private final LinuxCLibrary libc;
    private final PrintWriter err;

    public Learner(LinuxCLibrary libc, PrintWriter err) {
        this.libc = libc;
        this.err = err;
    }

    public static Policy traceAllPolicy() {
        return PolicyLoader.loadString(
                "learn.yaml", TRACE_ALL, LoadOptions.defaults().withArches(List.of(Arch.nativeArch())));
    }

    /**
     * Runs {@code command} under {@link #traceAllPolicy} as the run's stages make it
     * ({@link RunRewrites}: {@code choices}' mode; no watch, as the recorder remembers nothing
     * between calls).
     */
    public Result run(Path launcher, List<String> command, RunRewrites.Choices choices) throws Exception {
        RunRewrites.Rewritten rewritten = RunRewrites.apply(traceAllPolicy(), choices.withWatch(false));
        SupervisionMode mode = rewritten.mode().orElseThrow();
        byte[] filter = PolicyCompiler.compile(rewritten.filter(), CompileOptions.defaults())
                .program()
                .toBytes();
        Recorder recorder = new Recorder();
        HookChain chain = new HookChain(List.of(recorder), HookChain.FailureListener.stderr());
        SupervisorSession session = new SupervisorSession(chain, Decision.allow("learn"), null);
        SyscallTable table = SyscallTable.of(Arch.nativeArch());
        IntFunction<String> names = nr -> table.byNumber(nr).map(s -> s.name()).orElse(null);
        Runner runner = new Runner(libc, err);
        int exit = mode == SupervisionMode.NOTIFY
                ? new NotifyRunner(libc, runner)
                        .run(launcher, filter, List.of(), command, session, names)
                        .exitCode()
                : new TraceRunner(libc, runner)
                        .run(launcher, filter, List.of(), command, new TraceSupervisor(session), names)
                        .exitCode();
        return new Result(exit, recorder.observations());
    }
}
