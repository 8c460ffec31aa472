package dev.syscage.supervise;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.audit.AuditLog;
import dev.syscage.supervise.decode.SyscallDecoder;
import dev.syscage.supervise.hooks.HookChain;
import dev.syscage.supervise.notify.NotifyDecider;
import dev.syscage.supervise.trace.TraceSupervisor;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where an event meets the policy: builds the context (name, decoded call on first use), runs
 * the hook chain with the supervise default as fallback, writes the audit record before the
 * decision is sent (the target is still stopped, so what is logged is what was decided on),
 * then tells every hook the outcome. Runs on the supervisor thread. For notify mode it also
 * hands out the path the decision was made on, rechecks the real path of a file the supervisor
 * opened, and keeps a restarted call's second notification out of the audit log.
 */
public final class SupervisorSession implements TraceSupervisor.Decider, NotifyDecider {
    private final HookChain chain;
    private final Decision fallback;
    private final AuditLog log;
    private final Map<Arch, SyscallDecoder> decoders = new EnumMap<>(Arch.class);
    private final Map<Arch, Map<Integer, Boolean>> pathDecides = new EnumMap<>(Arch.class);
    private final boolean everyPathDecides;

    /** @param log where decisions are recorded, or null for none */
    public SupervisorSession(HookChain chain, Decision fallback, AuditLog log) {
        this(chain, fallback, log, false);
    }

    /**
     * @param everyPathDecides treat every call as one a path could decide (notify mode then makes
     *     every allowed open itself, so that the audit log names exactly the file opened)
     */
    public SupervisorSession(HookChain chain, Decision fallback, AuditLog log, boolean everyPathDecides) {
        this.chain = chain;
        this.fallback = fallback;
        this.log = log;
        this.everyPathDecides = everyPathDecides;
    }

    @Override
    public Decision decide(SyscallEvent event, TargetMemory memory) {
        return decide(event, memory, null).decision();
    }

    @Override
    public Outcome decide(SyscallEvent event, TargetMemory memory, Outcome resentOf) {
        long start = System.nanoTime();
        Context ctx = new Context(event, memory, decoders.computeIfAbsent(event.arch(), SyscallDecoder::new), null,
                null);
        HookChain.Verdict v = chain.verdict(ctx, fallback);
        long latency = System.nanoTime() - start;
        // the path is read from the target only for what needs it: a hook that asked (already
        // read), an audit record, or a race-free open
        boolean needPath = ctx.isDecoded() || (log != null && log.keeps(v.decision(), v.hook()))
                || pathDecides(event.arch(), event.nr());
        DecodedCall call = needPath ? ctx.decoded() : null;
        Outcome out = call == null ? new Outcome(v.decision(), Optional.empty(), Optional.empty())
                : new Outcome(v.decision(), call.path(), call.resolvedPath(), call.otherPaths(), call.otherResolvedPaths());
        if (out.equals(resentOf)) {
            return out; // the same call, restarted after a signal: logged and counted once already
        }
        if (log != null) {
            log.record(ctx, v.decision(), v.hook(), latency);
        }
        chain.decided(ctx, v.decision(), latency);
        return out;
    }

    @Override
    public boolean pathDecides(Arch arch, int nr) {
        return everyPathDecides || pathDecides.computeIfAbsent(arch, a -> new HashMap<>())
                .computeIfAbsent(nr, n -> chain.mayDecideOnPath(arch, n));
    }

    /**
     * Where the hooks decide {@code nr} by number alone, no path decides it, and the audit log
     * would not record it: the decision every call of it gets.
     */
    @Override
    public Optional<Decision> decisionByNumber(Arch arch, int nr) {
        if (pathDecides(arch, nr)) {
            return Optional.empty();
        }
        return chain.verdictByNumber(arch, nr, fallback)
                .filter(v -> log == null || !log.keeps(v.decision(), v.hook()))
                .map(HookChain.Verdict::decision);
    }

    @Override
    public void decidedByNumber(Arch arch, int nr, Decision decision, long count) {
        chain.decidedByNumber(arch, nr, decoders.computeIfAbsent(arch, SyscallDecoder::new).name(nr), decision, count);
    }

    @Override
    public Decision recheck(SyscallEvent event, TargetMemory memory, String realPath) {
        return recheck(event, memory, realPath, null);
    }

    @Override
    public Decision recheck(SyscallEvent event, TargetMemory memory, String realPath, List<Optional<String>> realOthers) {
        long start = System.nanoTime();
        Context ctx = new Context(event, memory, decoders.computeIfAbsent(event.arch(), SyscallDecoder::new), realPath,
                realOthers);
        HookChain.Verdict v = chain.verdict(ctx, fallback);
        if (v.decision().kind() != Decision.Kind.ALLOW && log != null) {
            log.record(ctx, v.decision(), v.hook(), System.nanoTime() - start);
        }
        return v.decision();
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

        Context(SyscallEvent event, TargetMemory memory, SyscallDecoder decoder, String realPath,
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
                    decoded = new DecodedCall(decoded.name(), decoded.args(), decoded.path(), Optional.of(realPath),
                            decoded.otherPaths(), realOthers != null ? realOthers : decoded.otherResolvedPaths());
                }
            }
            return decoded;
        }
    }
}
