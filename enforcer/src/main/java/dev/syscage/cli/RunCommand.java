package dev.syscage.cli;

import dev.syscage.nativeaccess.LinuxCLibrary;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.fallback.SupervisorFallback;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.RulesetText;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.PolicyLoader;
import dev.syscage.policy.isolate.Isolation;
import dev.syscage.policy.isolate.Namespace;
import dev.syscage.run.CacheRequest;
import dev.syscage.run.ComplainRun;
import dev.syscage.run.Containment;
import dev.syscage.run.IsolationPlan;
import dev.syscage.run.LandlockPlan;
import dev.syscage.run.LauncherLocator;
import dev.syscage.run.SealedFilter;
import dev.syscage.run.ListenerHandoff;
import dev.syscage.run.NotifyRunner;
import dev.syscage.supervise.notify.ViewWatch;
import dev.syscage.run.NotifySupport;
import dev.syscage.run.PlainRunLog;
import dev.syscage.run.ProfileCatalog;
import dev.syscage.run.Runner;
import dev.syscage.run.SupervisedRun;
import dev.syscage.run.SupervisionMode;
import dev.syscage.run.TraceRunner;
import dev.syscage.supervise.audit.AuditFormat;
import dev.syscage.supervise.audit.RunEnd;
import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.supervise.trace.TraceSupervisor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
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
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a program under a policy.",
        footer = {"", "Exit status: the program's; 128+N if signal N killed it (159: SIGSYS, a 'kill' rule);",
            "125 the launcher failed before starting it, 126 it cannot be executed, 127 not found;",
            "2 bad input (nothing was run); 1 the audit log could not be written (--on-log-error stop)."})
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

    @Option(names = "--dry-run", description = "Print what would be installed and the launcher's command line, and exit"
            + " (126 or 127, as the run would, when the program cannot start).")
    boolean dryRun;

    @Mixin
    SuperviseOptions supervise;

    @Option(names = "--flags", split = ",", paramLabel = "FLAG",
            description = "seccomp filter flags: tsync, log, spec_allow.")
    List<String> flags = new ArrayList<>();

    @Option(names = "--mode", paramLabel = "MODE",
            description = "How trace/notify rules reach the supervisor: trace (ptrace) or notify (seccomp user "
                    + "notification; the program stays free for strace and gdb). Default: notify if the policy has notify "
                    + "actions, or has trace actions and the kernel supports user notification; else trace.")
    String mode;

    @Option(names = "--listener-handoff", paramLabel = "HOW", defaultValue = "auto",
            description = "Notify mode: how the seccomp listener reaches syscage: pidfd (pidfd_getfd), scm-rights "
                    + "(sent over a socket), or auto: pidfd where allowed, else scm-rights. Default: auto.")
    String listenerHandoff;

    @Option(names = {"--race-free", "--race-free-opens"}, paramLabel = "WHICH", defaultValue = "path-rules",
            description = "Notify mode: which allowed path calls syscage makes itself, so that the file reached is the "
                    + "one decided on and logged: opens (openat2 + ADDFD), the calls that add or remove names "
                    + "(unlink, rmdir, mkdir, mknod, symlink, rename, link), truncate, chmod, chown, utime and the "
                    + "xattr calls. path-rules: those a path rule or hook could decide (the others run as the program "
                    + "asked); all: every one (also for an exact audit log; slower). --race-free-opens is the "
                    + "option's first name. Default: path-rules.")
    String raceFreeOpens;

    @Option(names = "--notify-wait", paramLabel = "HOW", defaultValue = "killable",
            description = "Notify mode: how a call waits for its decision once syscage has received it: killable "
                    + "(only a fatal signal ends the wait; WAIT_KILLABLE_RECV, Linux 5.19+) or interruptible (any caught "
                    + "signal does, and the call is restarted or fails with EINTR). Before syscage receives it, a caught "
                    + "signal without SA_RESTART makes any routed call fail with EINTR either way (the kernel's rule; "
                    + "--mode trace never does: docs/notify.md). Default: killable.")
    String notifyWait;

    @Option(names = "--grace", paramLabel = "SECONDS", defaultValue = "10",
            description = "After the first SIGINT, SIGTERM, SIGHUP or SIGQUIT sent to syscage (and passed on to the "
                    + "program), how long the program has to end before syscage kills its whole process tree; a second "
                    + "SIGINT does it at once. 0: wait for ever. Default: 10.")
    int grace;

    @Option(names = "--isolate", split = ",", paramLabel = "NS",
            description = "More namespaces for the run, as the policy's isolate: section asks (and merged with it): net "
                    + "(loopback only), ipc, uts. Required unless the policy's section says compat: best-effort.")
    List<String> isolate = new ArrayList<>();

    @Option(names = "--complain",
            description = "Deny nothing: every call the policy would deny (errno, kill, trap, its supervise rules, its "
                    + "filesystem rules) runs and is recorded in --log with the decision it would have had; Landlock "
                    + "and isolate: namespaces are not applied (docs/learn.md#complain-mode).")
    boolean complain;

    @Option(names = "--no-contain",
            description = "Run the program in syscage's own PID namespace and /proc, contained by a child subreaper "
                    + "only (by default a run gets its own PID and mount namespace, so that none of its processes "
                    + "outlives it).")
    boolean noContain;

    @Option(names = "--no-cache",
            description = "Neither use nor store the run cache (docs/launcher.md#the-run-cache): compile the policy now.")
    boolean noCache;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "The program and its arguments (after --).")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        OutputFile.refuseDash(supervise.log, "--log");
        OutputFile.refuseDash(supervise.metrics, "--metrics");
        Optional<CacheRequest> cache = noCache ? Optional.empty()
                : CacheRequest.forRun(spec.root().commandLine().getParseResult().originalArgs());
        cache.ifPresent(c -> spec.commandLine().setErr(c.tee(spec.commandLine().getErr())));
        Policy loaded = withIsolateOption(load());
        ComplainRun complaining = complain ? ComplainRun.of(loaded, RunCommand::realPath) : null;
        loaded = complaining == null ? loaded : complaining.prepared();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LandlockPlan landlock = landlockPlan(loaded);
        // no Landlock at all: the filesystem section is carried by the filter and the supervisor,
        // before the supervision mode is chosen (it may route calls the policy did not)
        Optional<SupervisorFallback.Result> fallback = landlock.needsSupervisorFallback(loaded.landlock())
                ? Optional.of(SupervisorFallback.apply(loaded, RunCommand::realPath)) : Optional.empty();
        Policy landlocked = fallback.map(SupervisorFallback.Result::policy).orElse(loaded);
        List<String> warnings = new ArrayList<>(fallback.map(f -> LandlockPlan.fallbackWarnings(f.notCarried()))
                .orElse(landlock.warnings()));
        Path launcher = launcher();
        // the isolate: section: what this run makes of it; read-only mounts it cannot make fall back to
        // supervisor rules, so this comes before the supervision mode is chosen
        IsolationPlan isolation = isolationPlan(loaded, supervisionMode(routed(landlocked, complaining)) != null, launcher);
        Policy enforced = isolation.apply(landlocked, RunCommand::realPath);
        warnings.addAll(isolation.warnings());
        if (complaining != null) {
            warnings.addAll(complaining.warnings(supervise.log));
        }
        Policy routed = routed(enforced, complaining);
        SupervisionMode supervision = supervisionMode(routed);
        Policy policy = supervision == null ? routed : supervision.retarget(routed);
        // notify mode: the calls that can change what a thread may open are sent to the supervisor
        // too, so that it can remember a thread's rights between race-free opens (ViewWatch)
        ViewWatch watch = supervision == SupervisionMode.NOTIFY ? ViewWatch.of(policy) : ViewWatch.NONE;
        Program program = PolicyCompiler.compile(watch.apply(policy), CompileOptions.defaults()).program();
        Lints.check(policy, supervision == SupervisionMode.NOTIFY, err,
                supervise.quiet && policyOptions.warnings() == Warnings.SHOW ? Warnings.NONE : policyOptions.warnings());
        List<String> launcherFlags = new ArrayList<>(flags.isEmpty() ? List.of() : List.of("--flags", String.join(",", flags)));
        if (grace < 0) {
            throw UserException.badInput("--grace " + grace + ": give a number of seconds, 0 or more");
        }
        launcherFlags.addAll(isolation.launcherFlags(supervision != null, grace));
        ListenerHandoff handoff = ListenerHandoff.parse(listenerHandoff).orElseThrow(() -> UserException.badInput(
                "unknown --listener-handoff '" + listenerHandoff + "' (choose auto, pidfd or scm-rights)"));
        if (!raceFreeOpens.equals("path-rules") && !raceFreeOpens.equals("all")) {
            throw UserException.badInput("unknown --race-free '" + raceFreeOpens + "' (choose path-rules or all)");
        }
        if (!notifyWait.equals("killable") && !notifyWait.equals("interruptible")) {
            throw UserException.badInput("unknown --notify-wait '" + notifyWait + "' (choose killable or interruptible)");
        }
        LandlockRuleset launched = isolation.launched(landlock.ruleset(), supervision != null, LandlockPlan.kernelAbi());
        if (dryRun) {
            List<String> lines = landlockLines(loaded.landlock(), landlock, fallback, warnings);
            IsolationPlan.section(loaded.isolation()).ifPresent(lines::add);
            lines.add(isolation.describe(supervision != null,
                    (launched.scoped() & dev.syscage.policy.landlock.Scope.SIGNAL) != 0));
            printSummary(out, policy, program, lines, DryRun.launcherArgv(launcher, launcherFlags, !launched.isEmpty(),
                    supervision, handoff, notifyWait.equals("interruptible"), command));
            return dryRunStatus(err);
        }
        for (String w : supervise.quiet ? List.<String>of() : warnings) {
            err.println("syscage: warning: " + w);
        }
        err.flush();
        IntFunction<String> names = nr -> CompileCommand.nameOf(policy, nr);
        LinuxCLibrary libc = LinuxCLibrary.instance();
        Runner runner = new Runner(libc, err).sigsysRules(dev.syscage.run.SigsysRules.of(loaded, 3));
        // the ruleset reaches the launcher as a sealed memfd, like the filter; it lives as long as the run
        try (SealedFilter rules = launched.isEmpty() ? null
                : SealedFilter.of(libc, "syscage-landlock", launched.toBytes())) {
            if (rules != null) {
                launcherFlags.addAll(List.of("--landlock", rules.path()));
            }
            if (supervision == null && (supervise.log == null || landlock.ruleset().isEmpty())) {
                try (SealedFilter request = cacheRequest(cache, libc, loaded)) {
                    if (request != null) { // the launcher stores the run once it has read the filter and ruleset
                        launcherFlags.addAll(List.of("--cache-store", request.path()));
                    }
                    return runner.run(launcher, program.toBytes(), launcherFlags, command, names);
                }
            }
            if (supervision == null) { // no supervisor: the log holds the kernel's reports of Landlock denials
                SupervisedRun.Settings s = settings(policy);
                try (PlainRunLog log = plainRunLog(s, landlock.ruleset(), err)) {
                    // the program's pid is read as soon as it is reported only when the tap needs it
                    return (log.tapping() ? runner.onProgram(log::watchProgram) : runner).run(launcher,
                            program.toBytes(), launcherFlags, command, names);
                }
            }
            try (SupervisedRun run = supervisedRun(policy, err);
                    ComplainRun.Report r = complaining == null ? ComplainRun.Report.NONE
                            : complaining.supervise(run, enforced, err, supervise.quiet)) {
                runner.onDenials(run::lastDenied);
                run.tapLandlockDenials(landlock.ruleset());
                if (supervision == SupervisionMode.NOTIFY) {
                    List<String> notifyFlags = new ArrayList<>(launcherFlags);
                    if (notifyWait.equals("interruptible")) {
                        notifyFlags.add("--notify-interruptible");
                    }
                    try {
                        NotifyRunner.Outcome o = new NotifyRunner(libc, runner, watch, landlock.ruleset())
                                .onProgram(run::watchProgram)
                                .run(launcher, program.toBytes(), notifyFlags, command, run.session(), names, handoff);
                        return run.finish(runEnd(policy, supervision, o.exitCode(), o.events()), ExitCodes.FAILURE);
                    } catch (dev.syscage.nativeaccess.Landlock.Failure e) {
                        // the supervisor's own domain is made before the launcher starts: nothing ran
                        throw new UserException(ExitCodes.FAILURE, "cannot put syscage's own calls for the program in "
                                + "its Landlock domain: " + e.getMessage() + "; nothing was run");
                    }
                }
                TraceRunner.Outcome o = new TraceRunner(libc, runner).onProgram(run::watchProgram).run(launcher,
                        program.toBytes(), launcherFlags, command, new TraceSupervisor(run.session()), names);
                return run.finish(runEnd(policy, supervision, o.exitCode(), o.events()), ExitCodes.FAILURE);
            }
        }
    }

    /** The audit log's closing record: what ran, under what, how it ended, how many calls were numbered. */
    private RunEnd runEnd(Policy policy, SupervisionMode mode, int exit, long calls) {
        String from = source.policy != null ? source.policy.toString() : "profile " + source.profile;
        return new RunEnd(policy.name() + " (" + from + ")", mode.name().toLowerCase(java.util.Locale.ROOT), command,
                exit, calls);
    }

    /** Complain mode: the policy with every call it denies sent to the supervisor (Complain.apply); else itself. */
    private static Policy routed(Policy policy, ComplainRun complaining) {
        return complaining == null ? policy : dev.syscage.policy.complain.Complain.apply(policy);
    }

    /**
     * The run cache's request as a sealed memfd, for a run whose every effect is the launch: no
     * audit log, metrics, summary or hooks, no profile directories; null when nothing is stored.
     */
    private SealedFilter cacheRequest(Optional<CacheRequest> cache, LinuxCLibrary libc, Policy loaded) {
        boolean launchOnly = !InputFile.isDash(source.policy) && !complain
                && supervise.log == null && supervise.metrics == null && !supervise.summary
                && supervise.hooks.isEmpty() && policyOptions.profilePath.isEmpty()
                && System.getProperty(dev.syscage.policy.validate.LoadOptions.PROFILE_PATH_PROPERTY) == null;
        return cache.filter(c -> launchOnly).map(c -> SealedFilter.of(libc, "syscage-cache-request",
                c.toBytes(source.policy == null ? List.of() : policyOptions.files, !loaded.isolation().isEmpty())))
                .orElse(null);
    }

    /** The policy with the namespaces --isolate asks for added to its isolate: section. */
    private Policy withIsolateOption(Policy policy) {
        if (isolate.isEmpty()) {
            return policy;
        }
        java.util.Set<Namespace> ns = new java.util.TreeSet<>(policy.isolation().namespaces());
        for (String word : isolate) {
            ns.add(Namespace.byWord(word.strip()).orElseThrow(() -> UserException.badInput("--isolate: unknown namespace '"
                    + word + "' (choose " + String.join(", ", Namespace.words()) + ")")));
        }
        Isolation i = policy.isolation();
        return policy.withIsolation(new Isolation(ns, i.readOnly(), i.writable(), i.compat()));
    }

    private static Path launcher() {
        return LauncherLocator.find().orElseThrow(() -> new UserException(ExitCodes.FAILURE,
                "cannot find " + LauncherLocator.NAME + " (looked at " + LauncherLocator.candidates().stream()
                        .limit(4).map(Path::toString).collect(Collectors.joining(", "))
                        + "); build it with 'make -C native' or set SYSCAGE_LAUNCH"));
    }

    /** How the run holds its tree and what it makes of the isolate: section; requiring more than it can is bad input (2). */
    private IsolationPlan isolationPlan(Policy policy, boolean supervised, Path launcher) {
        try {
            return IsolationPlan.of(policy.isolation(), noContain, supervised, () -> Containment.probe(launcher));
        } catch (IsolationPlan.Refused e) {
            throw UserException.badInput(e.getMessage());
        }
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

    /** --mode, else notify where the kernel supports it (see SupervisionMode.select); null when nothing is routed. */
    private SupervisionMode supervisionMode(Policy policy) {
        Optional<SupervisionMode> asked = mode == null ? Optional.empty() : Optional.of(SupervisionMode.parse(mode)
                .orElseThrow(() -> UserException.badInput("unknown --mode '" + mode + "' (choose trace or notify)")));
        return SupervisionMode.select(policy, asked, () -> NotifySupport.ofThisKernel().available()).orElse(null);
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
        AuditFormat format = AuditFormat.parse(supervise.logFormat).orElseThrow(() -> UserException.badInput(
                "unknown --log-format '" + supervise.logFormat + "' (choose jsonl or text)"));
        LogLevel level = supervise.logLevel == null ? policy.supervision().log()
                : LogLevel.byWord(supervise.logLevel).orElseThrow(() -> UserException.badInput(
                        "unknown --log-level '" + supervise.logLevel + "' (choose all, decisions, denied or none)"));
        if (!supervise.onLogError.equals("stop") && !supervise.onLogError.equals("continue")) {
            throw UserException.badInput("unknown --on-log-error '" + supervise.onLogError + "' (choose stop or continue)");
        }
        return new SupervisedRun.Settings(supervise.log, format, level, supervise.metrics, supervise.summary, supervise.hooks,
                raceFreeOpens.equals("all"), supervise.onLogError.equals("stop"), supervise.quiet);
    }

    private Policy load() {
        if (source.policy != null) {
            return policyOptions.load(source.policy, List.of());
        }
        String text = ProfileCatalog.text(source.profile).orElseThrow(() -> UserException.badInput(
                "no shipped profile '" + source.profile + "'; the shipped profiles are: "
                        + String.join(", ", ProfileCatalog.names())));
        return PolicyLoader.loadString(ProfileCatalog.displayName(source.profile), text, policyOptions.loadOptions(List.of()));
    }

    /** Where a Landlock rule's path leads (the kernel's rule is on the file found); itself when it leads nowhere. */
    private static String realPath(String path) {
        try {
            return Path.of(path).toRealPath().toString();
        } catch (java.io.IOException | RuntimeException e) {
            return path;
        }
    }

    /** For --dry-run: the policy's ruleset, what this kernel enforces of it (or the fallback's rules), the warnings. */
    private static List<String> landlockLines(LandlockRuleset wanted, LandlockPlan landlock,
            Optional<SupervisorFallback.Result> fallback, List<String> warnings) {
        List<String> lines = new ArrayList<>(RulesetText.describe(wanted));
        if (fallback.isPresent()) {
            lines.add("landlock on this kernel: ABI " + landlock.abi().version() + ", none of it enforced");
            lines.addAll(fallback.get().summary());
        } else {
            landlock.summary().ifPresent(lines::add);
        }
        warnings.forEach(w -> lines.add("warning: " + w));
        return lines;
    }

    /** 0, or what the run would exit with when the launcher could not start the program (said on {@code err}). */
    private int dryRunStatus(PrintWriter err) {
        Optional<DryRun.CannotStart> no = DryRun.check(command.get(0), System.getenv("PATH"));
        no.ifPresent(c -> err.println("syscage: the program cannot start: " + c.reason()));
        err.flush();
        return no.map(DryRun.CannotStart::status).orElse(ExitCodes.OK);
    }

    private void printSummary(PrintWriter out, Policy policy, Program program, List<String> landlock, List<String> argv) {
        out.printf("policy: %s%s%n", policy.name(), policy.description().isEmpty() ? "" : " (" + policy.description() + ")");
        out.printf("arch: %s; any other: %s%n", policy.arches().stream().map(a -> a.arch().toString())
                .collect(Collectors.joining(", ")), CheckCommand.describe(policy.badArchAction()));
        ArchPolicy first = policy.arches().get(0);
        out.printf("default: %s; unknown syscalls: %s%n", CheckCommand.describe(first.defaultAction()),
                CheckCommand.describe(first.unknownAction()));
        out.printf("filter: %d instructions (%d bytes), verified%n", program.length(), program.length() * 8);
        out.println("rules (first match wins):");
        for (Policy.RuleSummary r : policy.rules()) {
            List<String> calls = r.syscalls();
            String list = calls.size() <= 6 ? String.join(", ", calls)
                    : String.join(", ", calls.subList(0, 6)) + ", +" + (calls.size() - 6) + " more";
            out.printf("  #%d %s: %s [%s]%s%n", r.index() + 1, r.pos().fileLine(), CheckCommand.describe(r.action()),
                    list, r.when() == null || r.when().isEmpty() ? "" : " when " + r.when());
        }
        landlock.forEach(out::println);
        out.printf("would run: %s%n", DryRun.shellQuote(argv));
        out.flush();
    }
}
