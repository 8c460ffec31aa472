package dev.syscage.policy.oci;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.RuleRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Exports a syscage policy as an OCI/Docker seccomp profile (JSON) that means the same to
 * Docker + runc + libseccomp, or refuses, naming the rule ({@code file:line}), when it cannot.
 * Architectures are grouped the way Docker builds filters: a host and its sub-architectures
 * (x86_64 with i386) share one rule list, so their rules must agree ({@link CrossArch});
 * different hosts (x86_64, aarch64) may differ, through {@code includes.arches}. Each syscall's
 * clauses become entries in {@link EntryGenerator}. docs/oci.md describes every choice.
 */
public final class OciExporter {
    private final Policy policy;
    private final ExportOptions opts;
    private final Action defaultAction;
    private final List<String> warnings = new ArrayList<>();
    private final List<Diagnostic> errors = new ArrayList<>();

    /** A host architecture and the sub-architectures Docker puts in the same filter. */
    record HostGroup(String dockerName, ArchPolicy primary, List<ArchPolicy> subs) {
        List<ArchPolicy> members() {
            List<ArchPolicy> all = new ArrayList<>(List.of(primary));
            all.addAll(subs);
            return all;
        }
    }

    private OciExporter(Policy policy, ExportOptions opts) {
        this.policy = policy;
        this.opts = opts;
        this.defaultAction = policy.arches().get(0).defaultAction();
    }

    /** The profile as JSON; throws {@link PolicyException} naming every rule OCI cannot express. */
    public static String export(Policy policy, ExportOptions opts) {
        return exportWithWarnings(policy, opts).json();
    }

    /** As {@link #export}, with what the profile does not carry over exactly. */
    public static ExportResult exportWithWarnings(Policy policy, ExportOptions opts) {
        if (policy.arches().isEmpty()) {
            throw PolicyException.of(null, "the policy names no architecture; nothing to export");
        }
        return new OciExporter(policy, opts).run();
    }

    private ExportResult run() {
        List<HostGroup> groups = groups();
        Map<String, Map<String, List<EntryGenerator.Generated>>> perName = new TreeMap<>();
        for (HostGroup g : groups) {
            for (String name : namesWithClauses(g)) {
                perName.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(g.dockerName(), entriesFor(g, name));
            }
        }
        if (!errors.isEmpty()) {
            throw new PolicyException(errors);
        }
        List<OciJsonWriter.Entry> entries = merge(perName, groups.size() > 1);
        Set<String> named = new TreeSet<>();
        entries.forEach(e -> named.addAll(e.names()));
        sentinel(named).ifPresent(entries::add);
        fallbackWarnings(entries);
        List<Arch> arches = policy.arches().stream().map(ArchPolicy::arch).toList();
        return new ExportResult(
                OciJsonWriter.write(defaultAction, arches, entries), List.copyOf(new LinkedHashSet<>(warnings)));
    }

    private List<HostGroup> groups() {
        Optional<ArchPolicy> x86 = policy.forArch(Arch.X86_64);
        Optional<ArchPolicy> i386 = policy.forArch(Arch.I386);
        Optional<ArchPolicy> arm = policy.forArch(Arch.AARCH64);
        List<HostGroup> out = new ArrayList<>();
        if (x86.isPresent()) {
            out.add(new HostGroup("amd64", x86.get(), i386.map(List::of).orElse(List.of())));
        } else {
            i386.ifPresent(p -> out.add(new HostGroup("x86", p, List.of())));
        }
        arm.ifPresent(p -> out.add(new HostGroup("arm64", p, List.of())));
        return out;
    }

    private static Set<String> namesWithClauses(HostGroup g) {
        Set<String> names = new TreeSet<>();
        for (ArchPolicy p : g.members()) {
            p.clauses().forEach((nr, cs) -> {
                if (!cs.isEmpty()) {
                    p.table().byNumber(nr).ifPresent(s -> names.add(s.name()));
                }
            });
        }
        return names;
    }

    /** The entries for one syscall in one group, or a degraded stand-in when they cannot be written. */
    private List<EntryGenerator.Generated> entriesFor(HostGroup g, String name) {
        ArchPolicy basis = g.members().stream()
                .filter(p -> p.table().byName(name).isPresent())
                .findFirst()
                .orElseThrow();
        List<Clause> clauses = clauses(basis, name);
        try {
            List<EntryGenerator.Generated> e = EntryGenerator.generate(
                    clauses, defaultAction, basis.arch().registerBits(), opts.maxEntriesPerSyscall());
            for (ArchPolicy sub : g.members()) {
                if (sub != basis && sub.table().byName(name).isPresent()) {
                    CrossArch.check(name, basis, clauses, sub, clauses(sub, name), e);
                }
            }
            return e;
        } catch (EntryGenerator.Unexpressible u) {
            return problem(g, name, u.rule(), u.getMessage());
        }
    }

    private static List<Clause> clauses(ArchPolicy p, String name) {
        return p.table().byName(name).map(s -> p.clausesFor(s.nr())).orElse(List.of());
    }

    private List<EntryGenerator.Generated> problem(HostGroup g, String name, RuleRef rule, String reason) {
        String where = name
                + (g.subs().isEmpty()
                        ? ""
                        : " on " + g.primary().arch() + "/" + g.subs().get(0).arch());
        if (opts.degrade() == ExportOptions.Degrade.NONE) {
            errors.add(Diagnostic.error(
                    rule.pos(),
                    "cannot export " + where + " to OCI: " + reason
                            + " (ExportOptions.degrade ERRNO or ALLOW replaces such syscalls)"));
            return List.of();
        }
        Action stand = opts.degrade() == ExportOptions.Degrade.ERRNO
                ? Action.errno(OciAction.RUNC_DEFAULT_ERRNO)
                : Action.ALLOW;
        warnings.add((rule.pos() == null ? "" : rule.pos().fileLine() + ": ") + rule.describe() + ": " + where
                + " cannot be expressed in OCI (" + reason + "); exported as " + OciAction.yaml(stand)
                + " for every call");
        return stand.equals(defaultAction) ? List.of() : List.of(new EntryGenerator.Generated(stand, List.of(), rule));
    }

    /** What entries share one JSON element: same action, comparisons and includes. */
    private record Key(Action action, List<OciProfile.Arg> args, List<String> includes) {}

    /** The syscalls and rules of one JSON element. */
    private static final class Merged {
        final Set<String> names = new TreeSet<>();
        final TreeMap<Integer, RuleRef> origins = new TreeMap<>();
    }

    /** Entries with the same action and comparisons share one element; groups that differ get includes.arches. */
    private List<OciJsonWriter.Entry> merge(
            Map<String, Map<String, List<EntryGenerator.Generated>>> perName, boolean severalHosts) {
        Map<Key, Merged> merged = new LinkedHashMap<>();
        perName.forEach((name, byGroup) -> addSyscall(merged, name, byGroup, severalHosts));
        List<Map.Entry<Key, Merged>> sorted = new ArrayList<>(merged.entrySet());
        sorted.sort(Comparator.comparingInt(
                        (Map.Entry<Key, Merged> e) -> e.getValue().origins.firstKey())
                .thenComparing(e -> e.getKey().action().toString())
                .thenComparing(e -> e.getKey().args().toString())
                .thenComparing(e -> e.getKey().includes().toString()));
        List<OciJsonWriter.Entry> out = new ArrayList<>();
        for (Map.Entry<Key, Merged> e : sorted) {
            Key k = e.getKey();
            out.add(new OciJsonWriter.Entry(
                    List.copyOf(e.getValue().names),
                    k.action(),
                    k.args(),
                    k.includes(),
                    comment(e.getValue().origins.values())));
        }
        return out;
    }

    private void addSyscall(
            Map<Key, Merged> merged,
            String name,
            Map<String, List<EntryGenerator.Generated>> byGroup,
            boolean severalHosts) {
        Set<List<String>> distinct = new LinkedHashSet<>();
        byGroup.values()
                .forEach(gs -> distinct.add(
                        gs.stream().map(g -> g.action() + " " + g.args()).toList()));
        boolean same = distinct.size() == 1;
        for (Map.Entry<String, List<EntryGenerator.Generated>> group : byGroup.entrySet()) {
            List<String> includes = same ? List.of() : List.of(group.getKey());
            for (EntryGenerator.Generated g : group.getValue()) {
                Merged m = merged.computeIfAbsent(new Key(g.action(), g.args(), includes), x -> new Merged());
                m.names.add(name);
                m.origins.put(g.origin().index(), g.origin());
            }
            if (same) {
                return;
            }
        }
        if (severalHosts) {
            warnings.add(
                    name + ": rules differ between " + String.join(" and ", byGroup.keySet())
                            + "; exported with includes.arches, which Docker and Podman resolve (a bare OCI runtime applies every entry)");
        }
    }

    private static String comment(Iterable<RuleRef> refs) {
        List<String> parts = new ArrayList<>();
        refs.forEach(r -> parts.add(r.describe()));
        return (parts.size() == 1 ? "" : "from ") + String.join(", ", parts);
    }

    /**
     * runc answers every syscall numbered above the highest one a profile names with ENOSYS
     * (unless the default action is permissive). Naming the newest syscall of each table with
     * the default action (an entry runc and crun skip) limits that to syscalls newer than syscage knows.
     */
    private Optional<OciJsonWriter.Entry> sentinel(Set<String> named) {
        if (OciAction.of(defaultAction).permissive()) {
            return Optional.empty();
        }
        Set<String> newest = new TreeSet<>();
        for (ArchPolicy p : policy.arches()) {
            p.table()
                    .byNumber(p.table().maxNumber())
                    .map(Syscall::name)
                    .filter(n -> !named.contains(n))
                    .ifPresent(newest::add);
        }
        if (newest.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                new OciJsonWriter.Entry(
                        List.copyOf(newest),
                        defaultAction,
                        List.of(),
                        List.of(),
                        "the newest syscalls syscage knows, with the default action, so that runc's ENOSYS stub covers only newer ones"));
    }

    private void fallbackWarnings(List<OciJsonWriter.Entry> entries) {
        ArchPolicy first = policy.arches().get(0);
        Action unknown = first.unknownAction();
        boolean permissive = OciAction.of(defaultAction).permissive();
        Action runtime = permissive ? defaultAction : Action.errno(RuncEnosys.ENOSYS);
        if (!unknown.equals(runtime)) {
            warnings.add(
                    where(first.unknownRef()) + "unknown: " + OciAction.yaml(unknown) + " cannot be expressed in OCI; "
                            + "syscalls newer than syscage's tables get " + OciAction.yaml(runtime) + " from runc"
                            + (permissive ? "" : " (other runtimes: the defaultAction)"));
        }
        if (!policy.badArchAction().equals(Action.KILL_THREAD)) {
            warnings.add(where(policy.badArchRef()) + "bad_arch: " + OciAction.yaml(policy.badArchAction())
                    + " cannot be expressed in OCI; libseccomp kills the thread for other architectures");
        }
        List<Action> used = new ArrayList<>(
                entries.stream().map(OciJsonWriter.Entry::action).toList());
        used.add(defaultAction);
        if (used.stream().anyMatch(a -> a.kind() == Action.Kind.TRAP && a.value() != 0)) {
            warnings.add(
                    "trap data cannot be expressed in OCI (runc ignores errnoRet for SCMP_ACT_TRAP, crun rejects it); "
                            + "the signal's si_errno will be 0");
        }
        if (used.contains(Action.NOTIFY)) {
            warnings.add("SCMP_ACT_NOTIFY needs a listenerPath in the container's OCI config (runc, crun)"
                    + (defaultAction.equals(Action.NOTIFY) ? "; runc refuses it as defaultAction" : ""));
        }
    }

    private static String where(RuleRef ref) {
        return ref == null || ref.pos() == null ? "" : ref.pos().fileLine() + ": ";
    }
}
