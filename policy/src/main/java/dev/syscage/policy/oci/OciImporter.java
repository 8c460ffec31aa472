package dev.syscage.policy.oci;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Param;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.yaml.PolicyYamlWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Imports an OCI/Docker seccomp profile as a syscage policy (YAML), meaning what the profile
 * means to Docker + runc + libseccomp on the given host, capabilities and kernel. Stages:
 * {@link OciProfileReader} (JSON), {@link ImportTarget} (architectures), {@link Applicability}
 * (includes/excludes), {@link ArgTranslation} (comparisons at the kernel's argument widths),
 * {@link ImportPlanner} (libseccomp's per-syscall outcome as first-match rules),
 * {@link RuncEnosys} (runc's ENOSYS for newer syscalls) and {@link PolicyYamlWriter}.
 * docs/oci.md gives every rule this follows and why.
 */
public final class OciImporter {
    private static final Set<String> KEYWORDS = Set.of("in");

    private final OciProfile profile;
    private final ImportOptions opts;
    private final ImportTarget target;
    private final Action defaultAction;
    private final List<String> warnings = new ArrayList<>();
    private final List<Diagnostic> errors = new ArrayList<>();
    private final List<OciProfile.Entry> applicable = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private final List<String> dropped = new ArrayList<>();
    private final Set<String> unknownNames = new LinkedHashSet<>();
    private final JsonLocations locations;
    private final Map<Integer, List<String>> namesOf = new LinkedHashMap<>();
    private final Map<String, ImportPlanner.Plan> plans = new LinkedHashMap<>();

    private OciImporter(OciProfileReader.Parsed parsed, ImportOptions opts) {
        this.profile = parsed.profile();
        this.opts = opts;
        this.warnings.addAll(parsed.warnings());
        this.locations = parsed.locations();
        this.target = ImportTarget.resolve(profile, opts.arches(), opts.lenient());
        this.warnings.addAll(target.notes());
        target.errors().forEach(this::error);
        OciAction d = profile.defaultAction();
        this.defaultAction = d.toAction(d.takesErrno() ? profile.defaultErrnoRet() : null);
    }

    /** Reads and imports a profile file; problems are thrown as one {@link PolicyException}. */
    public static ImportResult importProfile(Path json, ImportOptions opts) {
        return importString(json.getFileName().toString(), BoundedJson.read(json), opts);
    }

    /**
     * Imports a profile its caller has read (at most {@link dev.syscage.policy.input.InputLimits#MAX_OCI_PROFILE_BYTES}
     * and one more byte); {@code displayName} names it in messages and in the policy.
     */
    public static ImportResult importRead(
            String displayName, dev.syscage.policy.input.BoundedRead.Input input, ImportOptions opts) {
        Path name = Path.of(displayName).getFileName();
        return importString(name == null ? displayName : name.toString(), BoundedJson.text(displayName, input), opts);
    }

    /** Imports profile text; {@code displayName} names it in messages and in the policy. */
    public static ImportResult importString(String displayName, String json, ImportOptions opts) {
        return new OciImporter(OciProfileReader.read(displayName, json), opts).run();
    }

    private ImportResult run() {
        checkProfileLevel();
        selectEntries();
        for (String name : allNames()) {
            planSyscall(name);
        }
        if (!errors.isEmpty()) {
            throw new PolicyException(errors);
        }
        List<PolicyYamlWriter.Rule> rules = rules();
        RuncEnosys enosys = new RuncEnosys(target.arches(), applicable);
        boolean stub = opts.runcEnosys() && !profile.defaultAction().permissive();
        if (stub && !defaultAction.equals(Action.errno(RuncEnosys.ENOSYS))) {
            List<String> newer = enosys.newerSyscalls(warnings);
            if (!newer.isEmpty()) {
                rules.add(new PolicyYamlWriter.Rule(
                        "runc: syscalls newer than every one the profile names fail with ENOSYS",
                        "errno ENOSYS",
                        newer,
                        null));
            }
        }
        String unknown = stub ? "errno ENOSYS" : OciAction.yaml(defaultAction);
        String yaml = PolicyYamlWriter.write(new PolicyYamlWriter.Document(
                header(),
                policyName(),
                description(),
                target.arches(),
                OciAction.yaml(defaultAction),
                unknown,
                "kill_thread",
                rules));
        return new ImportResult(yaml, List.copyOf(new LinkedHashSet<>(warnings)));
    }

    private void checkProfileLevel() {
        if (profile.defaultErrnoRet() != null && !profile.defaultAction().takesErrno()) {
            warnings.add("defaultErrnoRet is ignored for " + profile.defaultAction());
        }
        if (profile.defaultAction() == OciAction.SCMP_ACT_NOTIFY) {
            warnings.add("runc refuses SCMP_ACT_NOTIFY as defaultAction; imported as default: notify");
        }
        if (!profile.flags().isEmpty()) {
            warnings.add("flags " + profile.flags() + " are not supported by syscage and are ignored");
        }
        if (profile.listenerPath() != null) {
            warnings.add("listenerPath is not supported (syscage handles notify itself); ignored");
        }
    }

    /** Keeps the entries Docker keeps, and for each the syscall names some target architecture has. */
    private void selectEntries() {
        KernelVersion kernel = KernelVersion.parse(opts.kernel())
                .orElseThrow(() -> PolicyException.of(
                        null, "kernel release '" + opts.kernel() + "' is not a version such as 6.18"));
        Applicability rules = new Applicability(target.host(), opts.caps(), kernel);
        Set<String> unknown = unknownNames;
        for (OciProfile.Entry e : profile.syscalls()) {
            Optional<String> why = rules.whyNot(e);
            if (why.isPresent()) {
                skipped.add(e.cite() + " " + shortList(e.names()) + ": " + why.get());
                continue;
            }
            applicable.add(e);
            List<String> names = new ArrayList<>();
            for (String n : new LinkedHashSet<>(e.names())) {
                if (target.arches().stream()
                        .anyMatch(a -> SyscallTable.of(a).byName(n).isPresent())) {
                    names.add(n);
                } else {
                    unknown.add(n);
                }
            }
            namesOf.put(e.index(), names);
            if (names.isEmpty() && denies(e)) {
                dropDeny(e);
            }
        }
        if (!unknown.isEmpty()) {
            warnings.add("skipped " + unknown.size() + " syscall name(s) unknown on " + archPhrase()
                    + " (runtimes skip them too): " + String.join(", ", unknown));
        }
    }

    /** Whether the entry takes calls away from the default: an action other than allow or log, and not the default's. */
    private boolean denies(OciProfile.Entry e) {
        OciAction a = e.action();
        return a != OciAction.SCMP_ACT_ALLOW
                && a != OciAction.SCMP_ACT_LOG
                && !a.toAction(e.errnoRet()).equals(defaultAction);
    }

    /**
     * A deny entry that names no syscall a target architecture has: runc skips it without a word,
     * so the container is denied less than the profile says. An error unless {@code lenient}; then
     * it is dropped and listed in the warnings and the policy's header.
     */
    private void dropDeny(OciProfile.Entry e) {
        String what = e.cite() + " (" + OciAction.yaml(e.action().toAction(e.errnoRet())) + ") "
                + (e.names().isEmpty()
                        ? "has no syscall names (an empty 'names', or an old \"syscall\" key, which"
                                + " Docker and runc do not read)"
                        : "names only syscalls unknown on " + archPhrase() + ": " + String.join(", ", e.names()));
        if (opts.lenient()) {
            dropped.add(what);
            warnings.add(what + "; dropped as runc drops it (--lenient): the profile denies less than it says");
        } else {
            error(
                    e.cite(),
                    what + "; runc would drop the entry and deny less than the profile says"
                            + " (fix the names, or --lenient drops it as runc does)");
        }
    }

    private Set<String> allNames() {
        Set<String> all = new LinkedHashSet<>();
        namesOf.values().forEach(all::addAll);
        return all;
    }

    /** Translates the syscall's entries on each architecture, plans it, and checks the architectures agree. */
    private void planSyscall(String name) {
        ImportPlanner.Plan agreed = null;
        Arch first = null;
        String[] argNames = argNames(name);
        for (Map.Entry<Arch, List<ImportPlanner.Candidate>> en :
                candidates(name).entrySet()) {
            Syscall s = SyscallTable.of(en.getKey()).byName(name).orElseThrow();
            ImportPlanner.Result r = ImportPlanner.plan(s, en.getValue(), argNames);
            if (r.plan().isEmpty()) {
                error(r.at(), r.error());
                return;
            }
            warnings.addAll(r.plan().get().notes());
            if (agreed == null) {
                agreed = r.plan().get();
                first = en.getKey();
            } else if (!agreed.placements().equals(r.plan().get().placements())) {
                error(
                        "",
                        name + ": libseccomp decides it differently on " + first + " and " + en.getKey()
                                + "; a syscage policy applies one rule list to every architecture (import them one at a time)");
                return;
            }
        }
        if (agreed != null) {
            plans.put(name, agreed);
        }
    }

    /** Per architecture that has the syscall, the entries naming it that runc adds (action other than the default). */
    private Map<Arch, List<ImportPlanner.Candidate>> candidates(String name) {
        String[] argNames = argNames(name);
        Map<Arch, List<ImportPlanner.Candidate>> perArch = new EnumMap<>(Arch.class);
        for (OciProfile.Entry e : applicable) {
            if (!namesOf.get(e.index()).contains(name)) {
                continue;
            }
            Action action = e.action().toAction(e.errnoRet());
            for (List<OciProfile.Arg> args : runcRules(e.args())) {
                Map<Arch, ArgTranslation.Translated> byArch = new EnumMap<>(Arch.class);
                for (Arch a : target.arches()) {
                    Optional<Syscall> s = SyscallTable.of(a).byName(name);
                    if (s.isEmpty()) {
                        continue;
                    }
                    ArgTranslation.Translated t = ArgTranslation.translate(args, s.get(), argNames);
                    byArch.put(a, t);
                    if (!action.equals(defaultAction)) {
                        t.notes().forEach(n -> warnings.add(e.cite() + ": " + n));
                        perArch.computeIfAbsent(a, k -> new ArrayList<>())
                                .add(new ImportPlanner.Candidate(
                                        e,
                                        action,
                                        t,
                                        ArgTranslation.unconditionalForLibseccomp(args, a.registerBits()),
                                        args));
                    }
                }
                checkSame(e, name, byArch);
            }
        }
        return perArch;
    }

    /**
     * The libseccomp rules runc makes of an entry's comparisons (libcontainer/seccomp, matchCall):
     * all of them in one rule (ANDed), except when two test the same argument, which libseccomp
     * cannot hold in one rule: then every comparison, on that argument or not, is a rule of its
     * own, and the rules are ORed.
     */
    static List<List<OciProfile.Arg>> runcRules(List<OciProfile.Arg> args) {
        return repeatedArgument(args) < 0
                ? List.of(args)
                : args.stream().map(List::of).toList();
    }

    /** The first argument two comparisons test, or -1. */
    private static int repeatedArgument(List<OciProfile.Arg> args) {
        Set<Integer> seen = new java.util.HashSet<>();
        for (OciProfile.Arg a : args) {
            if (!seen.add(a.index())) {
                return a.index();
            }
        }
        return -1;
    }

    private void checkSame(OciProfile.Entry e, String name, Map<Arch, ArgTranslation.Translated> byArch) {
        ArgTranslation.Translated ref = null;
        Arch refArch = null;
        for (Map.Entry<Arch, ArgTranslation.Translated> t : byArch.entrySet()) {
            if (ref == null) {
                ref = t.getValue();
                refArch = t.getKey();
            } else if (ref.never() != t.getValue().never()
                    || !Objects.equals(ref.when(), t.getValue().when())) {
                error(
                        e.cite(),
                        e.cite() + ": the comparisons on " + name + " mean '" + show(ref) + "' on " + refArch + " but '"
                                + show(t.getValue()) + "' on " + t.getKey()
                                + " (argument widths differ); import one architecture at a time (--arch)");
            }
        }
    }

    private static String show(ArgTranslation.Translated t) {
        return t.never() ? "false" : t.when() == null ? "true" : t.when();
    }

    /**
     * How conditions name each argument of a syscall: its parameter name when every target
     * architecture that has the syscall calls it the same, else {@code argN}.
     */
    private String[] argNames(String syscall) {
        String[] names = new String[6];
        for (int i = 0; i < 6; i++) {
            String agreed = null;
            boolean same = true;
            for (Arch a : target.arches()) {
                Optional<Syscall> s = SyscallTable.of(a).byName(syscall);
                if (s.isEmpty()) {
                    continue;
                }
                List<Param> ps = s.get().params();
                String n = i < ps.size() ? ps.get(i).name() : null;
                same &= n != null && (agreed == null || agreed.equals(n));
                agreed = n;
            }
            boolean usable = same
                    && agreed != null
                    && agreed.matches("[a-z_][a-z0-9_]*")
                    && !KEYWORDS.contains(agreed)
                    && !agreed.matches("arg[0-5]");
            names[i] = usable ? agreed : "arg" + i;
        }
        return names;
    }

    /** One rule per applicable entry and condition text, in entry order. */
    private List<PolicyYamlWriter.Rule> rules() {
        List<PolicyYamlWriter.Rule> out = new ArrayList<>();
        for (OciProfile.Entry e : applicable) {
            Map<String, List<String>> byWhen = new LinkedHashMap<>();
            byWhen.put(null, new ArrayList<>());
            for (String name : namesOf.get(e.index())) {
                ImportPlanner.Plan p = plans.get(name);
                if (p == null || p.ordered()) {
                    continue;
                }
                for (ImportPlanner.Placement pl : p.placements()) {
                    if (pl.entry() == e.index()) {
                        byWhen.computeIfAbsent(pl.when(), k -> new ArrayList<>())
                                .add(name);
                    }
                }
            }
            String action = OciAction.yaml(e.action().toAction(e.errnoRet()));
            for (Map.Entry<String, List<String>> g : byWhen.entrySet()) {
                if (!g.getValue().isEmpty()) {
                    out.add(new PolicyYamlWriter.Rule(comment(e), action, g.getValue(), g.getKey()));
                }
            }
            treeRules(e, out);
        }
        return out;
    }

    /**
     * The syscalls whose entries overlap with different actions, at their first entry: one rule
     * per path of libseccomp's rule tree, in the filter's order (which is what they mean).
     */
    private void treeRules(OciProfile.Entry e, List<PolicyYamlWriter.Rule> out) {
        for (String name : namesOf.get(e.index())) {
            ImportPlanner.Plan p = plans.get(name);
            if (p == null
                    || !p.ordered()
                    || p.placements().isEmpty()
                    || p.placements().get(0).entry() != e.index()) {
                continue;
            }
            int n = p.placements().size();
            for (int i = 0; i < n; i++) {
                ImportPlanner.Placement pl = p.placements().get(i);
                out.add(new PolicyYamlWriter.Rule(
                        name + " as libseccomp's rule tree decides it (" + p.origin() + "), rule " + (i + 1) + " of "
                                + n,
                        OciAction.yaml(pl.action()),
                        List.of(name),
                        pl.when()));
            }
        }
    }

    private static String comment(OciProfile.Entry e) {
        StringBuilder sb = new StringBuilder(e.cite());
        if (!e.includes().isEmpty()) {
            sb.append(" includes ").append(e.includes().describe());
        }
        if (!e.excludes().isEmpty()) {
            sb.append(e.includes().isEmpty() ? "" : ";")
                    .append(" excludes ")
                    .append(e.excludes().describe());
        }
        if (e.comment() != null && !e.comment().isBlank()) {
            sb.append(": ").append(e.comment().replace('\n', ' '));
        }
        int repeated = repeatedArgument(e.args());
        if (repeated >= 0) {
            sb.append(" (two comparisons test argument ")
                    .append(repeated)
                    .append(": runc makes each comparison a rule of its own, ORed)");
        }
        return sb.toString();
    }

    private List<String> header() {
        List<String> h = new ArrayList<>();
        h.add("Imported by syscage from the OCI seccomp profile " + profile.source() + " (see docs/oci.md).");
        h.add("Resolved as Docker would on host " + target.host() + " (\"" + Applicability.dockerName(target.host())
                + "\" in includes/excludes), kernel " + opts.kernel() + ",");
        List<String> caps = new ArrayList<>(opts.caps());
        for (int i = 0; i < caps.size(); i += 5) {
            h.add((i == 0 ? "capabilities " : "  ")
                    + String.join(", ", caps.subList(i, Math.min(i + 5, caps.size())))
                    + (i + 5 >= caps.size() ? "." : ","));
        }
        if (caps.isEmpty()) {
            h.add("no capabilities.");
        }
        if (!skipped.isEmpty()) {
            h.add("Entries left out:");
            skipped.forEach(s -> h.add("  " + s));
        }
        if (!dropped.isEmpty()) {
            h.add("Deny entries dropped as runc drops them (--lenient):");
            dropped.forEach(s -> h.add("  " + s));
        }
        if (!unknownNames.isEmpty()) {
            h.add("Syscall names unknown on " + archPhrase() + ", skipped (runtimes skip them too):");
            List<String> names = new ArrayList<>(unknownNames);
            for (int i = 0; i < names.size(); i += 6) {
                h.add("  " + String.join(", ", names.subList(i, Math.min(i + 6, names.size()))));
            }
        }
        h.add("");
        return h;
    }

    private String policyName() {
        String base = profile.source().replaceAll("\\.json$", "");
        String clean = base.replaceAll("[^A-Za-z0-9._-]", "-");
        return clean.isEmpty() ? "imported" : clean;
    }

    private String description() {
        return "OCI seccomp profile " + profile.source() + " for " + target.host() + ", kernel " + opts.kernel() + ", "
                + opts.caps().size() + " capabilities";
    }

    /** {@code a, b, c, d +22 more}. */
    private static String shortList(List<String> names) {
        return names.size() <= 4
                ? String.join(", ", names)
                : String.join(", ", names.subList(0, 4)) + " +" + (names.size() - 4) + " more";
    }

    private String archPhrase() {
        List<String> names = target.arches().stream().map(Arch::yamlName).toList();
        return names.size() == 1
                ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }

    /** An error about the value at a JSON path ({@code syscalls[3]}), placed at its line and column. */
    private void error(String path, String message) {
        errors.add(Diagnostic.error(locations.at(path), message));
    }
}
