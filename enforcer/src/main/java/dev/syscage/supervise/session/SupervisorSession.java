package dev.syscage.supervise.session;

import dev.syscage.nativeaccess.LinuxCLibrary;
import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.DecodedCall;
import dev.syscage.supervise.NotifyDecider;
import dev.syscage.supervise.SyscallContext;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.TargetMemory;
import dev.syscage.supervise.audit.AuditLog;
import dev.syscage.supervise.audit.ProcessFacts;
import dev.syscage.supervise.decode.SyscallDecoder;
import dev.syscage.supervise.hooks.HookChain;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where an event meets the policy: builds the context (name, decoded call on first use), runs
 * the hook chain with the supervise default as fallback, and once the call's answer is final
 * writes its one audit record and tells every hook the outcome. Runs on the supervisor thread.
 * In trace mode the answer is final as soon as it is decided (the record is written before it is
 * sent, while the target is stopped); notify mode may look again at the real path of a file the
 * supervisor opened, and learns only when sending whether the call was still there, so it
 * settles each call afterwards ({@link NotifyDecider.Pending}): one record per call, with its
 * final decision, never one for the first look and one for the second.
 */
public final class SupervisorSession implements NotifyDecider {
    private static final int SIGKILL = 9;
    private final HookChain chain;
    private final Decision fallback;
    private final AuditLog log;
    private final Map<Arch, SyscallDecoder> decoders = new EnumMap<>(Arch.class);
    private final Map<Arch, Map<Integer, Boolean>> pathDecides = new EnumMap<>(Arch.class);
    private final boolean everyPathDecides;
    private final boolean stopWhenLogFails;
    private volatile long stopped;
    /** The first process that made a supervised call (the program, usually) and when it started, to stop it. */
    private volatile int firstPid;

    private volatile String firstStart;
    /** Complain mode: what the policy would have done; null when it is enforced. Set before the run starts. */
    private ComplainJudge complain;

    private static final HookChain.Verdict STOP = new HookChain.Verdict(Decision.kill("audit log failed"), null);

    /** @param log where decisions are recorded, or null for none */
    public SupervisorSession(HookChain chain, Decision fallback, AuditLog log) {
        this(chain, fallback, log, false);
    }

    /**
     * @param everyPathDecides treat every call as one a path could decide (notify mode then makes
     *     every allowed open itself, so that the audit log names exactly the file opened)
     */
    public SupervisorSession(HookChain chain, Decision fallback, AuditLog log, boolean everyPathDecides) {
        this(chain, fallback, log, everyPathDecides, false);
    }

    /**
     * @param stopWhenLogFails once the audit log cannot be written, kill every process at its
     *     next call the supervisor decides (auditd's {@code disk_full_action = halt}, for one run):
     *     no call goes unrecorded for long
     */
    public SupervisorSession(
            HookChain chain, Decision fallback, AuditLog log, boolean everyPathDecides, boolean stopWhenLogFails) {
        this.chain = chain;
        this.fallback = fallback;
        this.log = log;
        this.everyPathDecides = everyPathDecides;
        this.stopWhenLogFails = stopWhenLogFails && log != null;
    }

    @Override
    public Outcome outcome(SyscallEvent event, TargetMemory memory) {
        long start = System.nanoTime();
        if (firstPid == 0 && stopWhenLogFails) {
            firstStart = startTime(event.pid());
            firstPid = event.pid();
        }
        Context ctx =
                new Context(event, memory, decoders.computeIfAbsent(event.arch(), SyscallDecoder::new), null, null);
        HookChain.Verdict v = stopWhenLogFails && log.failed() ? STOP : verdict(ctx);
        if (v == STOP) {
            stopped++;
        }
        long latency = System.nanoTime() - start;
        boolean mayChange = pathDecides(event.arch(), event.nr()); // a second look, or syscage's own refusal
        boolean kept = log != null && log.keeps(v.decision(), v.hook());
        // the path is read from the target only for what needs it: a hook that asked (already
        // read), an audit record, or a race-free open; and what /proc says of the process, before
        // the answer can change it (an exec)
        DecodedCall call = ctx.isDecoded() || kept || mayChange ? ctx.decoded() : null;
        Settling pending = new Settling(ctx, v, latency, log != null && (kept || mayChange) ? log.factsOf(ctx) : null);
        chain.decidedBeforeAnswer(ctx, v.decision(), latency);
        return call == null
                ? new Outcome(v.decision(), Optional.empty(), Optional.empty(), List.of(), List.of(), pending)
                : new Outcome(
                        v.decision(),
                        call.path(),
                        call.resolvedPath(),
                        call.otherPaths(),
                        call.otherResolvedPaths(),
                        pending);
    }

    /** The hooks' verdict, or in complain mode what the run makes of it ({@link ComplainJudge}). */
    private HookChain.Verdict verdict(Context ctx) {
        return complain == null
                ? chain.verdict(ctx, fallback)
                : complain.verdict(ctx.event, () -> chain.verdict(ctx, fallback));
    }

    /**
     * Complain mode ({@code run --complain}): every call the policy (its filter, as {@code judge}
     * knows it, or its supervise rules) would deny is allowed, and recorded with that denial.
     * Call before the run starts.
     */
    public SupervisorSession complaining(ComplainJudge judge) {
        this.complain = judge;
        return this;
    }

    /** One decided call until its answer is final: a second look's verdict, then its one record. */
    private final class Settling implements NotifyDecider.Pending {
        private final Context ctx;
        private final HookChain.Verdict first;
        private final long latencyNanos;
        private final ProcessFacts facts;
        private String realPath;
        private HookChain.Verdict refusal;
        private boolean settled;

        Settling(Context ctx, HookChain.Verdict first, long latencyNanos, ProcessFacts facts) {
            this.ctx = ctx;
            this.first = first;
            this.latencyNanos = latencyNanos;
            this.facts = facts;
        }

        @Override
        public Decision recheck(String real, List<Optional<String>> realOthers) {
            Context again = new Context(ctx.event, ctx.memory, ctx.decoder, real, realOthers);
            HookChain.Verdict v = verdict(again);
            realPath = real;
            if (v.decision().kind() != Decision.Kind.ALLOW) {
                refusal = v;
            }
            return v.decision();
        }

        @Override
        public void settle(Decision decision, Long result) {
            if (settled) {
                return;
            }
            settled = true;
            String hook = refusal != null && refusal.decision().equals(decision)
                    ? refusal.hook()
                    : first.decision().equals(decision) || decision.kind() == Decision.Kind.INTERRUPTED
                            ? first.hook()
                            : null;
            if (log != null) {
                log.record(ctx, facts, decision, realPath, result, hook, latencyNanos);
            }
            chain.decidedFinally(ctx, decision, latencyNanos);
            if (complain != null) {
                complain.settled(decision, 1);
            }
        }
    }

    /**
     * The audit log cannot be written and the run is to stop: kills the first process that made a
     * supervised call (the program; the launcher then ends the rest of its tree) if it is still
     * the same process, now, from any thread. Every other process is killed at its next supervised
     * call. Returns whether a process was killed now.
     */
    public boolean stopNow() {
        int pid = firstPid;
        if (!stopWhenLogFails || pid == 0 || firstStart == null || !firstStart.equals(startTime(pid))) {
            return false;
        }
        if (LinuxCLibrary.instance().kill(pid, SIGKILL) != 0) {
            return false; // gone
        }
        stopped++;
        return true;
    }

    /** Field 22 of /proc/PID/stat (start time in clock ticks): with the pid, names one process; null if gone. */
    private static String startTime(int pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return f[19];
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /** Calls killed because the audit log could not be written (see the constructor's stopWhenLogFails). */
    public long stopped() {
        return stopped;
    }

    @Override
    public boolean pathDecides(Arch arch, int nr) {
        return everyPathDecides
                || pathDecides
                        .computeIfAbsent(arch, a -> new HashMap<>())
                        .computeIfAbsent(nr, n -> chain.mayDecideOnPath(arch, n));
    }

    /**
     * Where the hooks decide {@code nr} by number alone, no path decides it, and the audit log
     * would not record it: the decision every call of it gets.
     */
    @Override
    public Optional<Decision> decisionByNumber(Arch arch, int nr) {
        if (pathDecides(arch, nr) || (complain != null && complain.filterMayDeny(arch, nr))) {
            return Optional.empty();
        }
        return chain.verdictByNumber(arch, nr, fallback)
                .map(v -> complain == null ? v : complain.complained(v))
                .filter(v -> log == null || !log.keeps(v.decision(), v.hook()))
                .map(HookChain.Verdict::decision);
    }

    @Override
    public void decidedByNumber(Arch arch, int nr, Decision decision, long count) {
        chain.decidedByNumber(
                arch, nr, decoders.computeIfAbsent(arch, SyscallDecoder::new).name(nr), decision, count);
        if (complain != null) {
            complain.settled(decision, count);
        }
    }

    @Override
    public void processChanged(int pid) {
        if (log != null) {
            log.processChanged(pid);
        }
    }

    /**
     * The context of one event; the decoded call is computed once, when first asked for. A
     * {@code realPath} replaces the resolved path (a recheck of the file actually opened), and
     * {@code realOthers}, when not null, the other resolved paths.
     */
    private static final class Context implements SyscallContext {
        private final SyscallEvent event;
        private final TargetMemory memory;
        private final SyscallDecoder decoder;
        private final String realPath;
        private final List<Optional<String>> realOthers;
        private DecodedCall decoded;

        Context(
                SyscallEvent event,
                TargetMemory memory,
                SyscallDecoder decoder,
                String realPath,
                List<Optional<String>> realOthers) {
            this.realOthers = realOthers;
            this.event = event;
            this.memory = memory;
            this.decoder = decoder;
            this.realPath = realPath;
        }

        @Override
        public SyscallEvent event() {
            return event;
        }

        @Override
        public String name() {
            return decoder.name(event.nr());
        }

        @Override
        public TargetMemory memory() {
            return memory;
        }

        boolean isDecoded() {
            return decoded != null;
        }

        @Override
        public DecodedCall decoded() {
            if (decoded == null) {
                decoded = decoder.decode(event.nr(), event.args(), memory);
                if (realPath != null) {
                    decoded = new DecodedCall(
                            decoded.name(),
                            decoded.args(),
                            decoded.path(),
                            Optional.of(realPath),
                            decoded.otherPaths(),
                            realOthers != null ? realOthers : decoded.otherResolvedPaths());
                }
            }
            return decoded;
        }
    }
}
