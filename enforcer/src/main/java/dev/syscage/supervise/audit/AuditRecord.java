package dev.syscage.supervise.audit;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.DecodedCall;
import dev.syscage.supervise.DecodedCall.DecodedArg;
import dev.syscage.supervise.SyscallContext;
import dev.syscage.supervise.SyscallEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything one audit line says, copied out of the target while it is still stopped: the
 * target's memory and /proc may change as soon as the decision is sent, so nothing here refers
 * back to the live process. Strings are null where unknown; {@code ppid} and {@code uid} are -1
 * where unknown; {@code hook} is null when no hook decided (the fallback applied);
 * {@code resolvedPath2} is the second path of a call that names two (rename, link: where it
 * goes), null for the others. {@code realPath} is where the file the supervisor looked up really
 * is, when that is not {@code resolvedPath} (a symlink on the way) and the rules were asked about
 * it again; null otherwise. {@code decision} is the final one (that second look included), and
 * {@code result} what the program got back where syscage answered with a value of its own (a
 * file descriptor, 0, or -errno), null where the kernel ran the call or nothing was answered.
 */
public record AuditRecord(
        long seq,
        long wallNanos,
        int pid,
        int tid,
        int ppid,
        int uid,
        String comm,
        String exe,
        Arch arch,
        String syscall,
        int nr,
        List<DecodedArg> args,
        String path,
        String resolvedPath,
        String resolvedPath2,
        String realPath,
        Decision decision,
        Long result,
        String hook,
        long latencyNanos,
        SyscallEvent.Source source)
        implements AuditEntry {

    public AuditRecord {
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(syscall, "syscall");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(source, "source");
        args = List.copyOf(args);
    }

    /**
     * Reads what the record needs from the call: the decoded form (decoded now if nobody has
     * yet) and the process's comm, exe, ppid and uid (read from /proc now). Call it on the
     * supervisor thread before the decision is sent. A decoder that throws leaves the raw
     * registers in the record.
     */
    public static AuditRecord capture(SyscallContext call, Decision decision, String hook, long latencyNanos) {
        return capture(call, ProcessFacts.read(call.memory()), decision, hook, latencyNanos);
    }

    /** As {@link #capture(SyscallContext, Decision, String, long)}, with facts already known. */
    public static AuditRecord capture(
            SyscallContext call, ProcessFacts facts, Decision decision, String hook, long latencyNanos) {
        return capture(call, facts, decision, null, null, hook, latencyNanos);
    }

    /** As above, with the real path of what the supervisor looked up, and the call's result (both may be null). */
    public static AuditRecord capture(
            SyscallContext call,
            ProcessFacts facts,
            Decision decision,
            String realPath,
            Long result,
            String hook,
            long latencyNanos) {
        SyscallEvent e = call.event();
        DecodedCall d = decodedOrRaw(call);
        return new AuditRecord(
                e.seq(),
                e.wallNanos(),
                e.pid(),
                e.tid(),
                facts.ppid(),
                facts.uid(),
                facts.comm(),
                facts.exe(),
                e.arch(),
                call.name(),
                e.nr(),
                d.args(),
                d.path().orElse(null),
                d.resolvedPath().orElse(null),
                d.otherResolvedPaths().isEmpty()
                        ? null
                        : d.otherResolvedPaths().get(0).orElse(null),
                realPath,
                decision,
                result,
                hook,
                latencyNanos,
                e.source());
    }

    /** {@code name(arg, arg, ...)} from the decoded arguments' text. */
    public String callText() {
        StringBuilder sb = new StringBuilder(syscall.length() + 16 * args.size())
                .append(syscall)
                .append('(');
        for (int i = 0; i < args.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(args.get(i).text());
        }
        return sb.append(')').toString();
    }

    private static DecodedCall decodedOrRaw(SyscallContext call) {
        try {
            return call.decoded();
        } catch (RuntimeException decoderBug) {
            long[] regs = call.event().args();
            List<DecodedArg> raw = new ArrayList<>(regs.length);
            for (int i = 0; i < regs.length; i++) {
                raw.add(new DecodedArg("arg" + i, "raw", regs[i], "0x" + Long.toHexString(regs[i])));
            }
            return new DecodedCall(call.name(), raw, Optional.empty(), Optional.empty());
        }
    }
}
