package dev.syscage.policy.rewrite;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.Policy;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Lets the notify supervisor remember what it learned about a thread: its process (instead of
 * confirming it per event) and, between race-free opens, its credentials and view of the
 * filesystem (instead of reading /proc for each, about 30 µs of the open's cost here). A
 * thread's credentials and namespaces change only through its own syscalls, its root and umask
 * also through those of threads sharing its fs_struct, a thread id is only reused by a new
 * thread, and a thread changes process only by exec: the calls listed in {@link #CALLS}. So the filter sends each of them to the supervisor
 * wherever the policy lets it run ({@link #apply}); the supervisor drops what it remembers when
 * one arrives (the notify supervisor's ViewCache) and lets the call run (CONTINUE) without recording it, unless
 * the policy itself routes it ({@link #policyRoutes}).
 *
 * <p>{@link #NONE} watches nothing, and nothing is then remembered: for a policy that
 * {@code log}s a watched call (sending it to the supervisor would drop the kernel's log record).
 */
public final class ViewWatch {
    /** Calls that change credentials, namespaces, root, umask, or make a thread. */
    static final Set<String> CALLS = Set.of(
            "setuid",
            "setgid",
            "setreuid",
            "setregid",
            "setresuid",
            "setresgid",
            "setfsuid",
            "setfsgid",
            "setgroups",
            "setuid32",
            "setgid32",
            "setreuid32",
            "setregid32",
            "setresuid32",
            "setresgid32",
            "setfsuid32",
            "setfsgid32",
            "setgroups32",
            "capset",
            "execve",
            "execveat",
            "unshare",
            "setns",
            "chroot",
            "pivot_root",
            "umask",
            "clone",
            "clone3",
            "fork",
            "vfork");

    public static final ViewWatch NONE = new ViewWatch(Map.of(), Map.of());

    private final Map<Arch, ArchPolicy> original;
    private final Map<Arch, BitSet> watched;

    private ViewWatch(Map<Arch, ArchPolicy> original, Map<Arch, BitSet> watched) {
        this.original = original;
        this.watched = watched;
    }

    /**
     * The watch for a policy as notify mode runs it (routing actions already {@code notify}):
     * {@link #NONE} when it logs a watched call.
     */
    public static ViewWatch of(Policy policy) {
        Map<Arch, ArchPolicy> original = new EnumMap<>(Arch.class);
        Map<Arch, BitSet> watched = new EnumMap<>(Arch.class);
        for (ArchPolicy ap : policy.arches()) {
            BitSet nrs = new BitSet();
            for (Syscall s : ap.table().all()) {
                if (CALLS.contains(s.name())) {
                    if (actions(ap, s.nr()).stream().anyMatch(a -> a.kind() == Action.Kind.LOG)) {
                        return NONE;
                    }
                    nrs.set(s.nr());
                }
            }
            original.put(ap.arch(), ap);
            watched.put(ap.arch(), nrs);
        }
        return new ViewWatch(original, watched);
    }

    /** Every action a call can get: its clauses', and the default's unless an unconditional clause comes first. */
    private static List<Action> actions(ArchPolicy ap, int nr) {
        List<Action> out = new ArrayList<>();
        for (Clause c : ap.clausesFor(nr)) {
            out.add(c.action());
            if (c.unconditional()) {
                return out;
            }
        }
        out.add(ap.defaultAction());
        return out;
    }

    /** Whether the supervisor may remember what it read (a watch is in force). */
    public boolean caches() {
        return !watched.isEmpty();
    }

    /**
     * {@code policy} with every watched call sent to the supervisor wherever it would run
     * ({@code allow}); the same decisions otherwise. {@code policy} itself for {@link #NONE}.
     */
    public Policy apply(Policy policy) {
        if (!caches()) {
            return policy;
        }
        List<ArchPolicy> arches = new ArrayList<>();
        for (ArchPolicy ap : policy.arches()) {
            BitSet nrs = watched.getOrDefault(ap.arch(), new BitSet());
            TreeMap<Integer, List<Clause>> clauses = new TreeMap<>(ap.clauses());
            for (int nr = nrs.nextSetBit(0); nr >= 0; nr = nrs.nextSetBit(nr + 1)) {
                clauses.put(nr, watchedClauses(ap, nr));
            }
            arches.add(new ArchPolicy(
                    ap.arch(),
                    ap.table(),
                    ap.defaultAction(),
                    ap.defaultRef(),
                    ap.unknownAction(),
                    ap.unknownRef(),
                    clauses));
        }
        return new Policy(
                policy.name(),
                policy.description(),
                arches,
                policy.badArchAction(),
                policy.badArchRef(),
                policy.rules(),
                policy.frequency(),
                policy.supervision(),
                policy.landlock(),
                policy.isolation());
    }

    private static List<Clause> watchedClauses(ArchPolicy ap, int nr) {
        List<Clause> out = new ArrayList<>();
        for (Clause c : ap.clausesFor(nr)) {
            out.add(new Clause(c.when(), notifyIfRuns(c.action()), c.rule()));
            if (c.unconditional()) {
                return out;
            }
        }
        out.add(new Clause(Cond.TRUE, notifyIfRuns(ap.defaultAction()), ap.defaultRef()));
        return out;
    }

    private static Action notifyIfRuns(Action a) {
        return a.kind() == Action.Kind.ALLOW ? Action.NOTIFY : a;
    }

    /** Whether notifications of call {@code nr} on {@code arch} are watch events. */
    public boolean watched(Arch arch, int nr) {
        BitSet nrs = watched.get(arch);
        return nrs != null && nr >= 0 && nrs.get(nr);
    }

    /** Whether the policy itself (before {@link #apply}) sends this call to the supervisor. */
    public boolean policyRoutes(Arch arch, int nr, long[] args) {
        ArchPolicy ap = original.get(arch);
        if (ap == null) {
            return true;
        }
        for (Clause c : ap.clausesFor(nr)) {
            if (c.unconditional() || Cond.eval(c.when(), args)) {
                return c.action().kind() == Action.Kind.NOTIFY;
            }
        }
        return ap.defaultAction().kind() == Action.Kind.NOTIFY;
    }
}
