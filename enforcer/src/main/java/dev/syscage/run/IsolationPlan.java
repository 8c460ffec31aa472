package dev.syscage.run;

import dev.syscage.policy.isolate.Compat;
import dev.syscage.policy.isolate.Isolation;
import dev.syscage.policy.isolate.Namespace;
import dev.syscage.policy.landlock.Abi;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * How a run holds its process tree, and what of the policy's {@code isolate:} section it makes
 * (docs/containment.md): the launcher's {@code --contain} (own PID and mount namespace) for a run
 * without a supervisor; for a supervised one the launcher as a child subreaper (the supervisor
 * makes calls on the program's paths, so the program must keep syscage's mounts and /proc, and a
 * PID namespace without its own /proc would show it other processes' entries at its own pids),
 * or {@code --contain-pid-only} as root where the policy asks for namespaces; the extra
 * namespaces and the read-only mounts where they can be made. What cannot be
 * made is refused under {@code compat: required}; under {@code best-effort} it is dropped with a
 * warning, and read-only mounts fall back to supervisor rules for the metadata calls
 * ({@code MountFallback}, a stage of {@link dev.syscage.policy.rewrite.RunRewrites}).
 */
public final class IsolationPlan {
    /** The policy requires what this run cannot make. */
    public static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private final boolean noContain;
    private final Supplier<Containment> probe; // memoized: the launcher's probe runs at most once
    private final Set<Namespace> namespaces;
    private final List<Isolation.Mount> mounts;
    private final List<String> warnings;

    private IsolationPlan(
            boolean noContain,
            Supplier<Containment> probe,
            Set<Namespace> namespaces,
            List<Isolation.Mount> mounts,
            List<String> warnings) {
        this.noContain = noContain;
        this.probe = probe;
        this.namespaces = namespaces;
        this.mounts = mounts;
        this.warnings = List.copyOf(warnings);
    }

    /**
     * @param supervised whether the policy (after any Landlock fallback) sends calls to a supervisor
     * @param probe      what the launcher can make here (run at most once, only when needed)
     */
    public static IsolationPlan of(Isolation wanted, boolean noContain, boolean supervised, Supplier<Containment> probe)
            throws Refused {
        Supplier<Containment> once = memoize(probe);
        List<String> missing = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Set<Namespace> namespaces = Set.of();
        List<Isolation.Mount> mounts = List.of();
        if (!wanted.namespaces().isEmpty()) {
            String why = noContain
                    ? "--no-contain"
                    : supervised && !once.get().asRoot()
                            ? "a supervised run gets namespaces as root only"
                            : once.get().namespaces() ? null : once.get().how();
            if (why == null) {
                namespaces = wanted.namespaces();
            } else {
                String what = "the " + words(wanted.namespaces()) + " namespace"
                        + (wanted.namespaces().size() > 1 ? "s" : "");
                missing.add(what + " (" + why + ")");
                warnings.add("isolate: no " + what + " for this run (" + why + "); it runs without");
            }
        }
        if (!wanted.readOnly().isEmpty()) {
            String why = noContain
                    ? "--no-contain"
                    : supervised
                            ? "a supervised run keeps syscage's mounts, which its supervisor shares"
                            : once.get().namespaces() ? null : once.get().how();
            if (why == null) {
                mounts = wanted.mounts();
            } else {
                missing.add("read-only mounts (" + why + ")");
                warnings.add("isolate: no read-only mounts for this run (" + why + "); mode, owner, time and xattr "
                        + "changes beneath " + String.join(", ", wanted.readOnly()) + " go to the supervisor instead, "
                        + "which fails them with EROFS outside "
                        + (wanted.writable().isEmpty() ? "nothing" : String.join(", ", wanted.writable()))
                        + " (calls on held descriptors are not checked)");
            }
        }
        if (!missing.isEmpty() && wanted.compat() == Compat.REQUIRED) {
            throw new Refused("the policy's isolate: section requires " + String.join(" and ", missing)
                    + ", which this run cannot make; say 'compat: best-effort' in it to run without");
        }
        return new IsolationPlan(noContain, once, namespaces, mounts, warnings);
    }

    /** What this run does without, for stderr (and --dry-run). */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * How the launcher holds the tree: {@code --contain} for a run without a supervisor; for a
     * supervised one that the policy asks namespaces for, a PID namespace without the mount
     * namespace, as root ({@link #of} checked); the program's /proc is then syscage's.
     */
    public LaunchPlan.Contain contain(boolean supervised) {
        if (noContain) {
            return LaunchPlan.Contain.NONE;
        }
        return !supervised
                ? LaunchPlan.Contain.FULL
                : namespaces.isEmpty() ? LaunchPlan.Contain.NONE : LaunchPlan.Contain.PID_ONLY;
    }

    /** The launcher's options for the tree beside {@link #contain}: --die-with-parent, --grace, namespaces, mounts. */
    public List<String> launcherFlags(boolean supervised, int grace) {
        List<String> f = new ArrayList<>();
        boolean contained = contain(supervised) != LaunchPlan.Contain.NONE;
        if (contained || supervised) {
            f.addAll(List.of("--die-with-parent", "--grace", String.valueOf(grace)));
        }
        if (contained && !namespaces.isEmpty()) {
            f.addAll(List.of(
                    "--unshare", namespaces.stream().map(Namespace::word).collect(Collectors.joining(","))));
        }
        if (contained && !supervised) {
            for (Isolation.Mount m : mounts) {
                f.addAll(List.of(m.writable() ? "--writable" : "--read-only", m.path()));
            }
        }
        return f;
    }

    /**
     * The ruleset the launcher applies: a supervised run's launcher is a process of syscage's PID
     * namespace, which the program could signal; where the kernel has Landlock's signal scope
     * (ABI 6) and the run is contained, the program's domain scopes signals whatever the policy
     * says, so that it cannot kill its launcher (and leave orphans behind) or anything else
     * outside the run, as a run in its own PID namespace cannot see them. The supervisor's own
     * domain (LandlockDomain) keeps the policy's ruleset.
     */
    public LandlockRuleset launched(LandlockRuleset ruleset, boolean supervised, Abi kernel) {
        if (noContain || !supervised || kernel.version() < 6 || (ruleset.scoped() & Scope.SIGNAL) != 0) {
            return ruleset;
        }
        return new LandlockRuleset(
                ruleset.handledFs(),
                ruleset.handledNet(),
                ruleset.scoped() | Scope.SIGNAL,
                ruleset.paths(),
                ruleset.ports(),
                ruleset.compat());
    }

    /** One line for --dry-run: how the tree is held. */
    public String describe(boolean supervised, boolean signalScope) {
        if (noContain) {
            return "containment: none asked for (--no-contain); a child subreaper in trace and notify mode";
        }
        if (supervised && namespaces.isEmpty()) {
            return "containment: child subreaper (a supervised run keeps syscage's PID and mount namespace, which its "
                    + "supervisor shares); "
                    + (signalScope
                            ? "Landlock's signal scope keeps the launcher out of the " + "program's reach"
                            : "this kernel has no Landlock signal scope (ABI 6): a program that kills the "
                                    + "launcher can leave orphans");
        }
        return probe.get().describe(supervised);
    }

    private static String words(Set<Namespace> namespaces) {
        return namespaces.stream().map(Namespace::word).sorted().collect(Collectors.joining(", "));
    }

    private static Supplier<Containment> memoize(Supplier<Containment> probe) {
        Containment[] once = new Containment[1];
        return () -> {
            if (once[0] == null) {
                once[0] = probe.get();
            }
            return once[0];
        };
    }

    /** The dry-run lines of the section itself, when the policy has one. */
    public static Optional<String> section(Isolation wanted) {
        return wanted.isEmpty() ? Optional.empty() : Optional.of("isolate: " + wanted.describe());
    }
}
