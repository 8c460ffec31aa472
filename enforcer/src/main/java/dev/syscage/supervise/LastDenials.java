package dev.syscage.supervise;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Constants;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers, per process, the last few calls the supervisor denied, so that when the program
 * dies of a signal the run can say which calls were refused just before
 * ({@code openat(AT_FDCWD, "/etc/x", O_RDONLY) = -1 EACCES (rule p.yaml:12)}). Decides nothing,
 * and lets calls be answered by number (it is told of those by name only).
 */
public final class LastDenials implements SyscallHook {
    /** How many denials are kept per process. */
    static final int KEPT = 3;

    private final Map<Integer, Deque<String>> byPid = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "last-denials";
    }

    @Override
    public boolean mayDecideOnPath(Arch arch, int nr) {
        return false;
    }

    @Override
    public boolean decidesByNumber(Arch arch, int nr) {
        return true;
    }

    @Override
    public Optional<Decision> decisionByNumber(Arch arch, int nr) {
        return Optional.empty();
    }

    @Override
    public void onDecided(SyscallContext call, Decision decision, long latencyNanos) {
        if (decision.kind() == Decision.Kind.ERRNO || decision.kind() == Decision.Kind.KILL) {
            remember(call.event().pid(), text(call) + " = " + outcome(decision));
        }
    }

    @Override
    public void onDecidedByNumber(Arch arch, int nr, String name, Decision decision, long count) {
        // by number: no process is known; the audit log (if any) has no record of them either
    }

    /** The last denials of process {@code pid}, oldest first; empty when none. */
    public List<String> of(long pid) {
        Deque<String> d = byPid.get((int) pid);
        if (d == null) {
            return List.of();
        }
        synchronized (d) {
            return List.copyOf(d);
        }
    }

    private void remember(int pid, String line) {
        Deque<String> d = byPid.computeIfAbsent(pid, p -> new ArrayDeque<>());
        synchronized (d) {
            if (d.size() == KEPT) {
                d.removeFirst();
            }
            d.addLast(line);
        }
    }

    private static String text(SyscallContext call) {
        try {
            DecodedCall d = call.decoded();
            StringBuilder sb = new StringBuilder(call.name()).append('(');
            for (int i = 0; i < d.args().size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(d.args().get(i).text());
            }
            return sb.append(')').toString();
        } catch (RuntimeException gone) { // the process is gone (a kill): its memory cannot be read
            return call.name() + "(...)";
        }
    }

    static String outcome(Decision d) {
        String rule = " (rule " + (d.rule() == null ? "default" : d.rule()) + ")";
        if (d.kind() == Decision.Kind.KILL) {
            return "killed" + rule;
        }
        String name = Constants.errnoName(d.errno());
        return "-1 " + (name == null ? Integer.toString(d.errno()) : name) + rule;
    }
}
