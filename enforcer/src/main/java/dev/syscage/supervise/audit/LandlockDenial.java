package dev.syscage.supervise.audit;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Constants;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.DecodedCall;
import dev.syscage.supervise.DecodedCall.DecodedArg;
import dev.syscage.supervise.SyscallContext;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.TargetMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One access the kernel's Landlock refused, put together from the records of one audit event:
 * the {@code AUDIT_LANDLOCK_ACCESS} record (the domain that refused, the rights it lacked, what
 * was reached), the domain's {@code AUDIT_LANDLOCK_DOMAIN} record (which process made it; written
 * once, with the domain's first denial), and the event's {@code AUDIT_SYSCALL} record (the call,
 * its process and its result). The last two may be missing: the domain's when it was logged
 * before syscage listened, the call's when the process has no audit context (it existed before
 * the kernel audit was turned on).
 *
 * @param epochMillis when, milliseconds since the epoch (the audit's stamp)
 * @param serial      the audit event's serial
 * @param domain      the Landlock domain's id, as the kernel writes it (hex)
 * @param blockers    the rights or scopes that were missing: {@code fs.write_file}, {@code net.bind_tcp},
 *                    {@code scope.signal}, {@code ptrace}, ...
 * @param object      the rest of the access record in its order: {@code path dev ino} for files,
 *                    {@code src} or {@code daddr dest} for TCP ports, {@code opid ocomm} for
 *                    processes
 * @param call        the call, or null
 * @param allocatedBy who made the domain, or null
 */
public record LandlockDenial(
        long epochMillis,
        long serial,
        String domain,
        List<String> blockers,
        List<Map.Entry<String, String>> object,
        Call call,
        Domain allocatedBy) {
    static final int EACCES = 13;
    static final int EPERM = 1;

    public LandlockDenial {
        Objects.requireNonNull(domain, "domain");
        blockers = List.copyOf(blockers);
        object = List.copyOf(object);
    }

    /**
     * The {@code AUDIT_SYSCALL} record's part.
     *
     * @param auditArch {@code arch=}, the AUDIT_ARCH_* value
     * @param exit      {@code exit=}: the call's result (-errno when it failed), null when not written
     * @param args      {@code a0..a3}: the first four argument registers
     */
    public record Call(
            int auditArch, int nr, Long exit, int pid, int ppid, int uid, String comm, String exe, long[] args) {
        public Call {
            args = args.clone();
        }

        @Override
        public long[] args() {
            return args.clone();
        }
    }

    /** The {@code AUDIT_LANDLOCK_DOMAIN status=allocated} record: the process that restricted itself. */
    public record Domain(String id, int pid, int uid, String exe, String comm) {}

    /** The object field, if the access record has it. */
    public Optional<String> field(String key) {
        return object.stream()
                .filter(e -> e.getKey().equals(key))
                .map(Map.Entry::getValue)
                .findFirst();
    }

    /**
     * What the program got: the call's error where the SYSCALL record says it failed, else what
     * Landlock answers for these blockers (EPERM for signals, ptrace and abstract UNIX sockets,
     * EACCES for the rest).
     */
    public int errno() {
        if (call != null && call.exit() != null && call.exit() < 0 && call.exit() >= -4095) {
            return (int) -call.exit();
        }
        boolean perm = blockers.stream().anyMatch(b -> b.startsWith("scope.") || b.equals("ptrace"));
        return perm ? EPERM : EACCES;
    }

    /**
     * Who decided, as the audit log's {@code rule} says it: the domain, the missing rights and
     * what was reached, in the kernel's own words
     * ({@code landlock domain=1a2b3c blockers=fs.write_file path=/etc/x dev=vda ino=12}).
     */
    public String rule() {
        StringBuilder sb = new StringBuilder("landlock domain=")
                .append(domain)
                .append(" blockers=")
                .append(String.join(",", blockers));
        for (Map.Entry<String, String> e : object) {
            sb.append(' ').append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.toString();
    }

    /**
     * The audit log's record for this denial ({@code source: landlock}): the call as the SYSCALL
     * record gives it (name from the syscall table; of the four raw argument registers it has, as
     * many as the call takes), the path
     * reached, decision errno with what the program got, and the domain in {@code rule}. It is
     * not one of the supervisor's calls, so its {@code seq} is 0 and its latency 0.
     */
    public AuditRecord toAuditRecord() {
        Arch arch = call == null
                ? Arch.nativeArch()
                : Arch.byAuditArch(call.auditArch()).orElse(Arch.nativeArch());
        int nr = call == null ? -1 : call.nr();
        Optional<Syscall> known =
                nr < 0 ? Optional.empty() : SyscallTable.of(arch).byNumber(nr);
        String name = nr < 0 ? "unknown" : known.map(Syscall::name).orElse("syscall_0x" + Integer.toHexString(nr));
        List<DecodedArg> args = new ArrayList<>();
        if (call != null) {
            long[] regs = call.args();
            // as many as the call takes, of the four the SYSCALL record has
            int count = known.map(s -> Math.min(s.params().size(), regs.length)).orElse(regs.length);
            for (int i = 0; i < count; i++) {
                args.add(new DecodedArg("arg" + i, "raw", regs[i], "0x" + Long.toHexString(regs[i])));
            }
        }
        Optional<String> path = field("path").or(() -> field("name"));
        DecodedCall decoded = new DecodedCall(name, args, path, path.filter(p -> p.startsWith("/")));
        int pid = call == null ? -1 : call.pid();
        SyscallEvent event = new SyscallEvent(
                0, epochMillis * 1_000_000L, pid, pid, arch, nr, new long[6], 0, SyscallEvent.Source.LANDLOCK, 0);
        ProcessFacts facts = call == null
                ? new ProcessFacts(null, null, -1, -1)
                : new ProcessFacts(call.comm(), call.exe(), call.ppid(), call.uid());
        return AuditRecord.capture(new Context(event, name, decoded), facts, Decision.errno(errno(), rule()), null, 0);
    }

    /** The errno's name, for messages. */
    String errnoName() {
        String n = Constants.errnoName(errno());
        return n == null ? Integer.toString(errno()) : n;
    }

    /** A call that the kernel, not the supervisor, decided: nothing to read from the process. */
    private record Context(SyscallEvent event, String name, DecodedCall decoded) implements SyscallContext {
        @Override
        public TargetMemory memory() {
            throw new UnsupportedOperationException("a Landlock denial has no process memory to read");
        }
    }
}
