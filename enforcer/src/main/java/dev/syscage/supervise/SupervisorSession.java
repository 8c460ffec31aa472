package dev.syscage.supervise;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.audit.AuditLog;
import dev.syscage.supervise.decode.SyscallDecoder;
import dev.syscage.supervise.hooks.HookChain;
import dev.syscage.supervise.trace.TraceSupervisor;
import java.util.EnumMap;
import java.util.Map;

/**
 * Where an event meets the policy: builds the context (name, decoded call on first use), runs
 * the hook chain with the supervise default as fallback, writes the audit record before the
 * decision is sent (the target is still stopped, so what is logged is what was decided on),
 * then tells every hook the outcome. Runs on the supervisor thread.
 */
public final class SupervisorSession implements TraceSupervisor.Decider {
    private final HookChain chain;
    private final Decision fallback;
    private final AuditLog log;
    private final Map<Arch, SyscallDecoder> decoders = new EnumMap<>(Arch.class);

    /** @param log where decisions are recorded, or null for none */
    public SupervisorSession(HookChain chain, Decision fallback, AuditLog log) {
        this.chain = chain;
        this.fallback = fallback;
        this.log = log;
    }

    @Override
    public Decision decide(SyscallEvent event, TargetMemory memory) {
        long start = System.nanoTime();
        SyscallDecoder decoder = decoders.computeIfAbsent(event.arch(), SyscallDecoder::new);
        Context ctx = new Context(event, memory, decoder);
        HookChain.Verdict v = chain.verdict(ctx, fallback);
        long latency = System.nanoTime() - start;
        if (log != null) {
            log.record(ctx, v.decision(), v.hook(), latency);
        }
        chain.decided(ctx, v.decision(), latency);
        return v.decision();
    }

    @Override
    public void processChanged(int pid) {
        if (log != null) {
            log.processChanged(pid);
        }
    }

    /** The context of one event; the decoded call is computed once, when first asked for. */
    private static final class Context implements SyscallContext {
        private final SyscallEvent event;
        private final TargetMemory memory;
        private final SyscallDecoder decoder;
        private DecodedCall decoded;

        Context(SyscallEvent event, TargetMemory memory, SyscallDecoder decoder) {
            this.event = event;
            this.memory = memory;
            this.decoder = decoder;
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

        @Override
        public DecodedCall decoded() {
            if (decoded == null) {
                decoded = decoder.decode(event.nr(), event.args(), memory);
            }
            return decoded;
        }
    }
}
