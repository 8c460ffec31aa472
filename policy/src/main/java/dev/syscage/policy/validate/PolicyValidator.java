package dev.syscage.policy.validate;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.SyscallIndex;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.family.Families;
import dev.syscage.policy.family.FamilyRouter;
import dev.syscage.policy.family.SuperviseFamilies;
import dev.syscage.policy.group.GroupTable;
import dev.syscage.policy.group.Groups;
import dev.syscage.policy.isolate.Isolation;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.lint.ShadowCheck;
import dev.syscage.policy.lint.SupervisorReach;
import dev.syscage.policy.load.LoadedFile;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.RuleRef;
import dev.syscage.policy.model.Supervision;
import dev.syscage.policy.parse.PolicyDocument;
import dev.syscage.policy.parse.PolicyDocument.FrequencyEntry;
import dev.syscage.policy.parse.PolicyDocument.RuleSyntax;
import dev.syscage.policy.parse.Suggestions;
import dev.syscage.policy.parse.YamlNode.Scalar;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * From the files of a policy (the top file first, then its includes in rule order) to the
 * resolved {@link Policy}. The top file decides name, architectures and fallback actions
 * (and the supervise section's {@code log} and {@code default}, and the {@code landlock:}
 * setting); rules, supervise rules, groups and the Landlock sections come from every file
 * ({@link LandlockCompiler} says how those merge), and so does the {@code isolate:} section
 * ({@link IsolateCompiler}). Syscall families are then routed together ({@link FamilyRouter},
 * {@link SuperviseFamilies}). Everything wrong is reported to the diagnostics; the caller throws
 * if there were errors.
 */
final class PolicyValidator {
    private static final List<String> ARCH_NAMES = List.of("x86_64", "aarch64", "i386");

    private final Diagnostics diags;

    private PolicyValidator(Diagnostics diags) {
        this.diags = diags;
    }

    /** The policy, or empty when there were errors (all reported). */
    static Optional<Policy> validate(
            List<LoadedFile> files, List<Arch> archOverride, Groups shipped, Diagnostics diags) {
        return new PolicyValidator(diags).run(files, archOverride, shipped);
    }

    private Optional<Policy> run(List<LoadedFile> files, List<Arch> archOverride, Groups shipped) {
        PolicyDocument top = files.get(0).doc();
        List<Arch> declared = arches(top); // checked even when overridden
        List<Arch> arches = archOverride.isEmpty() ? declared : List.copyOf(new LinkedHashSet<>(archOverride));
        Fallback def = fallback(top.defaultAction(), RuleRef.Kind.DEFAULT, null);
        if (!top.keys().contains("default")) {
            diags.error(
                    top.pos(),
                    "missing 'default:', the action for syscalls no rule decides "
                            + "(for example 'default: errno EPERM')");
        }
        Fallback unknown = fallback(top.unknownAction(), RuleRef.Kind.UNKNOWN, def);
        Fallback badArch = fallback(top.badArchAction(), RuleRef.Kind.BAD_ARCH, new Fallback(Action.KILL, null));
        files.stream().skip(1).forEach(this::checkIgnoredFallbacks);

        SyscallIndex index = new SyscallIndex(arches);
        GroupTable groups = GroupTable.build(shipped, files, index, diags);
        Map<String, Long> frequency = frequency(files, index);
        RuleCompiler rules = new RuleCompiler(index, groups, diags);
        int n = 0;
        for (LoadedFile f : files) {
            for (RuleSyntax r : f.doc().rules()) {
                rules.add(n++, f, r);
            }
        }
        ShadowCheck.run(shadowInput(rules.clauses()), diags);
        SuperviseCompiler supervise = new SuperviseCompiler(index, new SyscallNames(index, groups, diags), diags);
        Supervision supervision = supervise.compile(files);
        LandlockRuleset landlock = LandlockCompiler.compile(files, diags);
        Isolation isolation = IsolateCompiler.compile(files, diags);
        if (diags.hasErrors()) {
            return Optional.empty();
        }
        List<ArchPolicy> perArch = new ArrayList<>();
        for (Arch a : arches) {
            perArch.add(archPolicy(a, rules.clauses().get(a), def, unknown));
        }
        perArch = FamilyRouter.route(perArch, Families.shipped())
                .arches(); // siblings' clauses name the rule: RuleRef.via
        supervision = SuperviseFamilies.expand(
                supervision,
                supervise.items().stream()
                        .map(i -> new SuperviseFamilies.Item(i.rule(), i.item().pos(), i.names()))
                        .toList(),
                perArch,
                Families.shipped(),
                diags);
        SupervisorReach.check(
                supervise.items().stream()
                        .map(i -> new SupervisorReach.Item(i.item(), i.names()))
                        .toList(),
                perArch,
                diags);
        return Optional.of(new Policy(
                policyName(top),
                top.description().map(Scalar::text).orElse(""),
                perArch,
                badArch.action(),
                RuleRef.fallback(RuleRef.Kind.BAD_ARCH, badArch.pos()),
                rules.summaries(),
                frequency,
                supervision,
                landlock,
                isolation));
    }

    /** A fallback action and the position it was written at (null when implied). */
    private record Fallback(Action action, SourcePos pos) {}

    private Fallback fallback(Optional<Scalar> written, RuleRef.Kind kind, Fallback otherwise) {
        if (written.isPresent()) {
            Optional<Action> a = ActionParser.parse(written.get(), diags);
            return new Fallback(a.orElse(Action.KILL), written.get().pos());
        }
        return otherwise != null ? otherwise : new Fallback(Action.KILL, null);
    }

    /** Included files may carry their own fallbacks (to be loadable alone); they are checked but not used. */
    private void checkIgnoredFallbacks(LoadedFile f) {
        f.doc().defaultAction().ifPresent(s -> ActionParser.parse(s, diags));
        f.doc().unknownAction().ifPresent(s -> ActionParser.parse(s, diags));
        f.doc().badArchAction().ifPresent(s -> ActionParser.parse(s, diags));
    }

    private List<Arch> arches(PolicyDocument top) {
        Set<Arch> out = new LinkedHashSet<>();
        for (Scalar s : top.arches()) {
            Optional<Arch> a = Arch.byName(s.text());
            if (a.isEmpty()) {
                String hint = Suggestions.hint(s.text(), ARCH_NAMES);
                diags.error(
                        s.pos(),
                        "unknown architecture '" + s.text() + "'"
                                + (hint.isEmpty() ? "; syscage knows " + String.join(", ", ARCH_NAMES) : hint));
            } else if (!out.add(a.get())) {
                diags.error(s.pos(), "architecture " + a.get() + " is listed twice");
            }
        }
        return out.isEmpty() ? List.of(Arch.nativeArch()) : List.copyOf(out);
    }

    /** Counts from every file; a file's own counts win over those of the files it includes. */
    private Map<String, Long> frequency(List<LoadedFile> files, SyscallIndex index) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (LoadedFile f : files) {
            for (FrequencyEntry e : f.doc().frequency()) {
                String name = e.syscall().text();
                if (!index.known(name)) {
                    diags.error(
                            e.syscall().pos(),
                            () -> "unknown syscall '" + name + "' in 'frequency'"
                                    + Suggestions.hint(name, index.allNames()));
                } else {
                    out.putIfAbsent(name, e.count());
                }
            }
        }
        return out;
    }

    /** The placed clauses as {@link ShadowCheck} reads them: per architecture, then per syscall number. */
    private static List<List<ShadowCheck.Placed>> shadowInput(
            Map<Arch, TreeMap<Integer, List<RuleCompiler.Placed>>> clauses) {
        List<List<ShadowCheck.Placed>> out = new ArrayList<>();
        clauses.values()
                .forEach(perNr -> perNr.values()
                        .forEach(list -> out.add(list.stream()
                                .map(p -> new ShadowCheck.Placed(
                                        p.clause(), p.file().key(), p.item()))
                                .toList())));
        return out;
    }

    private static ArchPolicy archPolicy(
            Arch arch, TreeMap<Integer, List<RuleCompiler.Placed>> placed, Fallback def, Fallback unknown) {
        TreeMap<Integer, List<Clause>> clauses = new TreeMap<>();
        placed.forEach((nr, list) ->
                clauses.put(nr, list.stream().map(RuleCompiler.Placed::clause).toList()));
        return new ArchPolicy(
                arch,
                SyscallTable.of(arch),
                def.action(),
                RuleRef.fallback(RuleRef.Kind.DEFAULT, def.pos()),
                unknown.action(),
                RuleRef.fallback(RuleRef.Kind.UNKNOWN, unknown.pos()),
                clauses);
    }

    private static String policyName(PolicyDocument top) {
        if (top.name().isPresent()) {
            return top.name().get().text();
        }
        Path file = Path.of(top.source().name()).getFileName();
        String base = file == null ? top.source().name() : file.toString();
        return base.endsWith(".yaml") ? base.substring(0, base.length() - ".yaml".length()) : base;
    }
}
