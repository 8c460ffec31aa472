package dev.syscage.cli;

import dev.syscage.nativeaccess.LinuxCLibrary;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.isolate.Isolation;
import dev.syscage.policy.isolate.Namespace;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.policy.rewrite.RunRewrites;
import dev.syscage.policy.rewrite.SupervisionMode;
import dev.syscage.policy.validate.PolicyLoader;
import dev.syscage.run.CacheRequest;
import dev.syscage.run.ComplainRun;
import dev.syscage.run.Containment;
import dev.syscage.run.IsolationPlan;
import dev.syscage.run.LandlockPlan;
import dev.syscage.run.LaunchPlan;
import dev.syscage.run.LauncherLocator;
import dev.syscage.run.ListenerHandoff;
import dev.syscage.run.NotifyRunner;
import dev.syscage.run.PlainRunLog;
import dev.syscage.run.ProfileCatalog;
import dev.syscage.run.Runner;
import dev.syscage.run.SealedFilter;
import dev.syscage.run.SigsysRules;
import dev.syscage.run.SupervisedRun;
import dev.syscage.run.TraceRunner;
import dev.syscage.supervise.audit.AuditFormat;
import dev.syscage.supervise.audit.RunEnd;
import dev.syscage.supervise.trace.TraceSupervisor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code syscage run --policy FILE -- prog args...}: compiles the policy, checks it can start a
 * program at all, and runs the program under it through the launcher. The exit status is the
 * program's (128+N when signal N ended it; 125, 126, 127 when the launcher could not start it).
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Run a program under a policy.",
        footer = {
            "",
            "Exit status: the program's; 128+N if signal N killed it (159: SIGSYS, a 'kill' rule);",
            "125 the launcher failed before starting it, 126 it cannot be executed, 127 not found;",
            "2 bad input (nothing was run); 1 the audit log could not be written (--on-log-error stop)."
        })
public final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PolicyOptions policyOptions;

    @ArgGroup(multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--policy", paramLabel = "FILE", description = "A policy file (YAML); - reads standard input.")
        Path policy;

        @Option(names = "--profile", paramLabel = "NAME", description = "A shipped profile (see 'syscage profiles').")
        String profile;
    }

    @Option(
            names = "--dry-run",
            description = "Print what would be installed and the launcher's command line, and exit"
                    + " (126 or 127, as the run would, when the program cannot start).")
    boolean dryRun;

    @Option(
            names = "--emit-filter",
            paramLabel = "FILE",
            description = "With --dry-run: also write the filter the run would hand the launcher (struct sock_filter "
                    + "bytes) to FILE.")
    Path emitFilter;

    @Mixin
    RewriteOptions rewrite;

    @Mixin
    SuperviseOptions supervise;

    @Option(
            names = "--flags",
            split = ",",
            paramLabel = "FLAG",
            description = "seccomp filter flags: tsync, log, spec_allow.")
    List<String> flags = new ArrayList<>();

    @Option(
            names = "--listener-handoff",
            paramLabel = "HOW",
            defaultValue = "auto",
            description = "Notify mode: how the seccomp listener reaches syscage: pidfd (pidfd_getfd), scm-rights "
                    + "(sent over a socket), or auto: pidfd where allowed, else scm-rights. Default: auto.")
    String listenerHandoff;

    @Option(
            names = {"--race-free", "--race-free-opens"},
            paramLabel = "WHICH",
            defaultValue = "path-rules",
            description = "Notify mode: which allowed path calls syscage makes itself, so that the file reached is the "
                    + "one decided on and logged: opens (openat2 + ADDFD), the calls that add or remove names "
                    + "(unlink, rmdir, mkdir, mknod, symlink, rename, link), truncate, chmod, chown, utime and the "
                    + "xattr calls. path-rules: those a path rule or hook could decide (the others run as the program "
                    + "asked); all: every one (also for an exact audit log; slower). --race-free-opens is the "
                    + "option's first name. Default: path-rules.")
    String raceFreeOpens;

    @Option(
            names = "--notify-wait",
            paramLabel = "HOW",
            defaultValue = "killable",
            description = "Notify mode: how a call waits for its decision once syscage has received it: killable "
                    + "(only a fatal signal ends the wait; WAIT_KILLABLE_RECV, Linux 5.19+) or interruptible (any caught "
                    + "signal does, and the call is restarted or fails with EINTR). Before syscage receives it, a caught "
                    + "signal without SA_RESTART makes any routed call fail with EINTR either way (the kernel's rule; "
                    + "--mode trace never does: docs/notify.md). Default: killable.")
    String notifyWait;

    @Option(
            names = "--grace",
            paramLabel = "SECONDS",
            defaultValue = "10",
            description = "After the first SIGINT, SIGTERM, SIGHUP or SIGQUIT sent to syscage (and passed on to the "
                    + "program), how long the program has to end before syscage kills its whole process tree; a second "
                    + "SIGINT does it at once. 0: wait for ever. Default: 10.")
    int grace;

    @Option(
            names = "--isolate",
            split = ",",
            paramLabel = "NS",
            description =
                    "More namespaces for the run, as the policy's isolate: section asks (and merged with it): net "
                            + "(loopback only), ipc, uts. Required unless the policy's section says compat: best-effort.")
    List<String> isolate = new ArrayList<>();

    @Option(
            names = "--no-contain",
            description = "Run the program in syscage's own PID namespace and /proc, contained by a child subreaper "
                    + "only (by default a run gets its own PID and mount namespace, so that none of its processes "
                    + "outlives it).")
    boolean noContain;

    @Option(
            names = "--no-cache",
            description =
                    "Neither use nor store the run cache (docs/launcher.md#the-run-cache): compile the policy now.")
    boolean noCache;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "The program and its arguments (after --).")
    List<String> command;

    /** What the run starts, made before anything starts: the policy's stages, the kernel's plans, the launch. */
    private record Setup(
            RunRewrites.Rewritten stages,
            LandlockPlan landlock,
            IsolationPlan isolation,
            LandlockRuleset launched,
            List<String> warnings,
            Program program,
            LaunchPlan launch) {
        /** The policy as the run has it (the mode's actions): for the summary, the supervisor, the audit log. */
        Policy policy() {
            return stages.policy();
        }

        Optional<SupervisionMode> mode() {
            return stages.mode();
        }
    }

    @Override
    public Integer call() throws Exception {
        checkOptions();
        Optional<CacheRequest> cache = noCache
                ? Optional.empty()
                : CacheRequest.forRun(spec.root().commandLine().getParseResult().originalArgs());
        cache.ifPresent(c -> spec.commandLine().setErr(c.tee(spec.commandLine().getErr())));
        PolicyOptions.Loaded loaded = load();
        Setup setup = setup(loaded.policy(), launcher());
        if (dryRun) {
            return dryRun(setup);
        }
        PrintWriter err = spec.commandLine().getErr();
        for (String w : supervise.quiet ? List.<String>of() : setup.warnings()) {
            err.println("syscage: warning: " + w);
        }
        err.flush();
        return launch(setup, cache, loaded.files());
    }

    /** The options that are bad input whatever the policy: said before it is read. */
    private void checkOptions() {
        OutputFile.refuseDash(supervise.log, "--log");
        OutputFile.refuseDash(supervise.metrics, "--metrics");
        if (emitFilter != null && !dryRun) {
            throw UserException.badInput("--emit-filter writes what a dry run would install: give --dry-run too");
        }
        if (InputFile.isDash(emitFilter)) {
            throw UserException.badInput("--emit-filter -: standard output gets the dry run's summary; give a file");
        }
        if (grace < 0) {
            throw UserException.badInput("--grace " + grace + ": give a number of seconds, 0 or more");
        }
        handoff();
        if (!raceFreeOpens.equals("path-rules") && !raceFreeOpens.equals("all")) {
            throw UserException.badInput("unknown --race-free '" + raceFreeOpens + "' (choose path-rules or all)");
        }
        if (!notifyWait.equals("killable") && !notifyWait.equals("interruptible")) {
            throw UserException.badInput(
                    "unknown --notify-wait '" + notifyWait + "' (choose killable or interruptible)");
        }
    }

    private ListenerHandoff handoff() {
        return ListenerHandoff.parse(listenerHandoff)
                .orElseThrow(() -> UserException.badInput(
                        "unknown --listener-handoff '" + listenerHandoff + "' (choose auto, pidfd or scm-rights)"));
    }

    /**
     * The policy's stages ({@link RunRewrites}, with the kernel's answers), the Landlock and
     * isolation plans for this kernel, the compiled filter, the lints, the launch plan.
     */
    private Setup setup(Policy loaded, Path launcher) {
        Supplier<Containment> probe = once(() -> Containment.probe(launcher));
        RunRewrites.Rewritten r = RunRewrites.apply(
                loaded,
                rewrite.choices(() -> !noContain && probe.get().namespaces()).withHooks(!supervise.hooks.isEmpty()));
        Policy prepared = r.prepared();
        LandlockPlan landlock = landlockPlan(prepared);
        IsolationPlan isolation = isolationPlan(prepared, r.supervised(), probe);
        List<String> warnings = new ArrayList<>(r.landlockFallback()
                .map(f -> LandlockPlan.fallbackWarnings(f.notCarried()))
                .orElse(landlock.warnings()));
        warnings.addAll(isolation.warnings());
        r.complain().ifPresent(c -> warnings.addAll(ComplainRun.of(c).warnings(supervise.log)));
        Program program =
                PolicyCompiler.compile(r.filter(), CompileOptions.defaults()).program();
        Lints.check(
                r.policy(),
                r.mode().equals(Optional.of(SupervisionMode.NOTIFY)),
                spec.commandLine().getErr(),
                supervise.quiet && policyOptions.warnings() == Warnings.SHOW
                        ? Warnings.NONE
                        : policyOptions.warnings());
        List<String> options =
                new ArrayList<>(flags.isEmpty() ? List.of() : List.of("--flags", String.join(",", flags)));
        options.addAll(isolation.launcherFlags(r.supervised(), grace));
        LaunchPlan plan = new LaunchPlan(
                launcher,
                program.toBytes(),
                r.mode(),
                isolation.contain(r.supervised()),
                options,
                handoff(),
                notifyWait.equals("interruptible"),
                command);
        LandlockRuleset launched = isolation.launched(landlock.ruleset(), r.supervised(), LandlockPlan.kernelAbi());
        return new Setup(r, landlock, isolation, launched, warnings, program, plan);
    }

    /** {@code --dry-run}: the summary and the launcher's command line, the filter with --emit-filter; nothing runs. */
    private int dryRun(Setup s) {
        Policy prepared = s.stages().prepared();
        List<String> lines = DryRun.landlockLines(
                prepared.landlock(), s.landlock(), s.stages().landlockFallback(), s.warnings());
        IsolationPlan.section(prepared.isolation()).ifPresent(lines::add);
        lines.add(s.isolation()
                .describe(
                        s.stages().supervised(),
                        (s.launched().scoped() & dev.syscage.policy.landlock.Scope.SIGNAL) != 0));
        LaunchPlan plan = s.launched().isEmpty() ? s.launch() : s.launch().with("--landlock", "<ruleset-memfd>");
        if (emitFilter != null) {
            OutputFile.writeBinary(emitFilter, plan.filter(), SyscageCommand.stdio(spec), "the filter");
        }
        DryRun.printSummary(spec.commandLine().getOut(), s.policy(), s.program(), lines, DryRun.launcherArgv(plan));
        return DryRun.status(command.get(0), spec.commandLine().getErr());
    }

    /** Starts the run: plain, with the kernel's Landlock reports in the log, or supervised. */
    private int launch(Setup s, Optional<CacheRequest> cache, List<Path> files) throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        LinuxCLibrary libc = LinuxCLibrary.instance();
        Runner runner =
                new Runner(libc, err).sigsysRules(SigsysRules.of(s.stages().prepared(), 3));
        // the ruleset reaches the launcher as a sealed memfd, like the filter; it lives as long as the run
        try (SealedFilter rules = s.launched().isEmpty()
                ? null
                : SealedFilter.of(libc, "syscage-landlock", s.launched().toBytes())) {
            LaunchPlan plan = rules == null ? s.launch() : s.launch().with("--landlock", rules.path());
            if (!s.stages().supervised()) {
                return plainRun(s, plan, runner, libc, cache, files);
            }
            return supervisedRun(s, plan, runner, libc);
        }
    }

    /** A run without a supervisor: from the run cache's point of view, or with the kernel's Landlock reports in its log. */
    private int plainRun(
            Setup s, LaunchPlan plan, Runner runner, LinuxCLibrary libc, Optional<CacheRequest> cache, List<Path> files)
            throws Exception {
        IntFunction<String> names = nr -> PolicyText.syscallName(s.policy(), nr);
        if (supervise.log == null || s.landlock().ruleset().isEmpty()) {
            try (SealedFilter request = cacheRequest(cache, libc, s.stages().prepared(), files)) {
                // the launcher stores the run once it has read the filter and ruleset
                return runner.run(request == null ? plan : plan.with("--cache-store", request.path()), names);
            }
        }
        SupervisedRun.Settings settings = settings(s.policy());
        try (PlainRunLog log =
                plainRunLog(settings, s.landlock().ruleset(), spec.commandLine().getErr())) {
            // the program's pid is read as soon as it is reported only when the tap needs it
            return (log.tapping() ? runner.onProgram(log::watchProgram) : runner).run(plan, names);
        }
    }

    /** A run with the supervisor, in notify or trace mode. */
    private int supervisedRun(Setup s, LaunchPlan plan, Runner runner, LinuxCLibrary libc) throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Policy policy = s.policy();
        IntFunction<String> names = nr -> PolicyText.syscallName(policy, nr);
        Optional<ComplainRun> complaining = s.stages().complain().map(ComplainRun::of);
        try (SupervisedRun run = supervisedRun(policy, err);
                ComplainRun.Report r = complaining.isEmpty()
                        ? ComplainRun.Report.NONE
                        : complaining.get().supervise(run, s.stages().enforced(), err, supervise.quiet)) {
            runner.onDenials(run::lastDenied);
            run.tapLandlockDenials(s.landlock().ruleset());
            SupervisionMode mode = s.mode().orElseThrow();
            if (mode == SupervisionMode.NOTIFY) {
                try {
                    NotifyRunner.Outcome o = new NotifyRunner(
                                    libc,
                                    runner,
                                    s.stages().watch(),
                                    s.landlock().ruleset())
                            .onProgram(run::watchProgram)
                            .run(
                                    plan.launcher(),
                                    plan.filter(),
                                    plan.flags(),
                                    plan.command(),
                                    run.session(),
                                    names,
                                    plan.handoff());
                    return run.finish(runEnd(policy, mode, o.exitCode(), o.events()), ExitCodes.FAILURE);
                } catch (dev.syscage.nativeaccess.Landlock.Failure e) {
                    // the supervisor's own domain is made before the launcher starts: nothing ran
                    throw new UserException(
                            ExitCodes.FAILURE,
                            "cannot put syscage's own calls for the program in " + "its Landlock domain: "
                                    + e.getMessage() + "; nothing was run");
                }
            }
            TraceRunner.Outcome o = new TraceRunner(libc, runner)
                    .onProgram(run::watchProgram)
                    .run(plan, new TraceSupervisor(run.session()), names);
            return run.finish(runEnd(policy, mode, o.exitCode(), o.events()), ExitCodes.FAILURE);
        }
    }

    /** The audit log's closing record: what ran, under what, how it ended, how many calls were numbered. */
    private RunEnd runEnd(Policy policy, SupervisionMode mode, int exit, long calls) {
        String from = source.policy != null ? source.policy.toString() : "profile " + source.profile;
        return new RunEnd(
                policy.name() + " (" + from + ")",
                mode.name().toLowerCase(java.util.Locale.ROOT),
                command,
                exit,
                calls);
    }

    /**
     * The run cache's request as a sealed memfd, for a run whose every effect is the launch: no
     * audit log, metrics, summary or hooks, no profile directories; null when nothing is stored.
     * {@code files}: the policy files read (none for a shipped profile).
     */
    private SealedFilter cacheRequest(
            Optional<CacheRequest> cache, LinuxCLibrary libc, Policy loaded, List<Path> files) {
        boolean launchOnly = !InputFile.isDash(source.policy)
                && !rewrite.complain
                && supervise.log == null
                && supervise.metrics == null
                && !supervise.summary
                && supervise.hooks.isEmpty()
                && policyOptions.profilePath.isEmpty()
                && System.getProperty(dev.syscage.policy.validate.LoadOptions.PROFILE_PATH_PROPERTY) == null;
        return cache.filter(c -> launchOnly)
                .map(c -> SealedFilter.of(
                        libc,
                        "syscage-cache-request",
                        c.toBytes(files, !loaded.isolation().isEmpty())))
                .orElse(null);
    }

    /** The policy with the namespaces --isolate asks for added to its isolate: section. */
    private Policy withIsolateOption(Policy policy) {
        if (isolate.isEmpty()) {
            return policy;
        }
        java.util.Set<Namespace> ns = new java.util.TreeSet<>(policy.isolation().namespaces());
        for (String word : isolate) {
            ns.add(Namespace.byWord(word.strip())
                    .orElseThrow(() -> UserException.badInput("--isolate: unknown namespace '" + word + "' (choose "
                            + String.join(", ", Namespace.words()) + ")")));
        }
        Isolation i = policy.isolation();
        return policy.withIsolation(new Isolation(ns, i.readOnly(), i.writable(), i.compat()));
    }

    private static Path launcher() {
        return LauncherLocator.find()
                .orElseThrow(() -> new UserException(
                        ExitCodes.FAILURE,
                        "cannot find " + LauncherLocator.NAME + " (looked at "
                                + LauncherLocator.candidates().stream()
                                        .limit(4)
                                        .map(Path::toString)
                                        .collect(Collectors.joining(", "))
                                + "); build it with 'make -C native' or set SYSCAGE_LAUNCH"));
    }

    /** How the run holds its tree and what it makes of the isolate: section; requiring more than it can is bad input (2). */
    private IsolationPlan isolationPlan(Policy policy, boolean supervised, Supplier<Containment> probe) {
        try {
            return IsolationPlan.of(policy.isolation(), noContain, supervised, probe);
        } catch (IsolationPlan.Refused e) {
            throw UserException.badInput(e.getMessage());
        }
    }

    /** {@code probe}, run at most once (the launcher's containment probe is a process). */
    private static <T> Supplier<T> once(Supplier<T> probe) {
        List<T> got = new ArrayList<>(1);
        return () -> {
            if (got.isEmpty()) {
                got.add(probe.get());
            }
            return got.get(0);
        };
    }

    /** The policy's Landlock ruleset on this kernel; a policy that requires more than it has is bad input (2). */
    private static LandlockPlan landlockPlan(Policy policy) {
        if (policy.landlock().isEmpty()) {
            return LandlockPlan.of(LandlockRuleset.NONE, dev.syscage.policy.landlock.Abi.NONE);
        }
        try {
            return LandlockPlan.of(policy.landlock(), LandlockPlan.kernelAbi());
        } catch (LandlockPlan.Refused e) {
            throw UserException.badInput(e.getMessage());
        } catch (dev.syscage.nativeaccess.Landlock.Failure e) {
            throw new UserException(ExitCodes.FAILURE, "cannot ask the kernel for its Landlock ABI: " + e.getMessage());
        }
    }

    /** The audit log is opened here, before anything runs: a path it cannot write is bad input. */
    private static PlainRunLog plainRunLog(SupervisedRun.Settings s, LandlockRuleset ruleset, PrintWriter err) {
        try {
            return PlainRunLog.open(s.log(), s.format(), s.level(), ruleset, err);
        } catch (SupervisedRun.LogUnwritable e) {
            throw UserException.badInput(e.getMessage() + "; nothing was run");
        }
    }

    private SupervisedRun supervisedRun(Policy policy, PrintWriter err) {
        try {
            return new SupervisedRun(policy, settings(policy), err);
        } catch (SupervisedRun.LogUnwritable e) {
            throw UserException.badInput(e.getMessage() + "; nothing was run");
        }
    }

    private SupervisedRun.Settings settings(Policy policy) {
        AuditFormat format = AuditFormat.parse(supervise.logFormat)
                .orElseThrow(() -> UserException.badInput(
                        "unknown --log-format '" + supervise.logFormat + "' (choose jsonl or text)"));
        LogLevel level = supervise.logLevel == null
                ? policy.supervision().log()
                : LogLevel.byWord(supervise.logLevel)
                        .orElseThrow(() -> UserException.badInput("unknown --log-level '" + supervise.logLevel
                                + "' (choose all, decisions, denied or none)"));
        if (!supervise.onLogError.equals("stop") && !supervise.onLogError.equals("continue")) {
            throw UserException.badInput(
                    "unknown --on-log-error '" + supervise.onLogError + "' (choose stop or continue)");
        }
        return new SupervisedRun.Settings(
                supervise.log,
                format,
                level,
                supervise.metrics,
                supervise.summary,
                supervise.hooks,
                raceFreeOpens.equals("all"),
                supervise.onLogError.equals("stop"),
                supervise.quiet);
    }

    /** The policy (with --isolate's namespaces) and the files it was read from; a shipped profile has none. */
    private PolicyOptions.Loaded load() {
        if (source.policy != null) {
            PolicyOptions.Loaded read = policyOptions.read(source.policy, List.of());
            return new PolicyOptions.Loaded(withIsolateOption(read.policy()), read.files());
        }
        String text = ProfileCatalog.text(source.profile)
                .orElseThrow(() -> UserException.badInput("no shipped profile '" + source.profile
                        + "'; the shipped profiles are: " + String.join(", ", ProfileCatalog.names())));
        return new PolicyOptions.Loaded(
                withIsolateOption(PolicyLoader.loadString(
                        ProfileCatalog.displayName(source.profile), text, policyOptions.loadOptions(List.of()))),
                List.of());
    }
}
