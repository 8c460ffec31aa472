package dev.syscage.policy.validate;

import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.landlock.FsAccess;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.LandlockRuleset.Compat;
import dev.syscage.policy.landlock.LandlockRuleset.PathRule;
import dev.syscage.policy.landlock.LandlockRuleset.PortRule;
import dev.syscage.policy.landlock.NetAccess;
import dev.syscage.policy.load.LoadedFile;
import dev.syscage.policy.parse.PolicyDocument;
import dev.syscage.policy.parse.YamlNode.Scalar;
import dev.syscage.policy.validate.LandlockSections.PathAt;
import dev.syscage.policy.validate.LandlockSections.PortAt;
import dev.syscage.policy.validate.LandlockSections.Rule;
import dev.syscage.policy.validate.LandlockSections.Word;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * From the Landlock sections of a policy's files ({@code landlock:}, {@code filesystem:},
 * {@code network:}, {@code scope:}; the top file first, then its includes in rule order) to the
 * {@link LandlockRuleset} the launcher applies before the seccomp filter. Three steps: each
 * file's sections are resolved on their own ({@link LandlockSections}); they are merged; the
 * merged rules are checked against the merged {@code confine} and lowered to kernel bits.
 *
 * <p>Merging: the {@code confine} sets of all files are united (a {@code filesystem:} section
 * without {@code confine} governs every right) and the {@code allow} rules concatenated, the
 * top file's first; a direction of {@code network:} is confined when any file gives it a port
 * list (or leaves it out of a {@code network:} section it has), with the ports united, while
 * {@code any} in a file leaves it to the others; scopes are united; the {@code landlock:}
 * setting is the top file's, or, where the top file has neither the setting nor a section, that
 * of the included files that have sections (see {@link #compat}). A policy with none of
 * the sections, or whose sections confine nothing, gets {@link LandlockRuleset#NONE}.
 */
final class LandlockCompiler {
    private LandlockCompiler() {}

    /** The ruleset; {@link LandlockRuleset#NONE} too when there were errors (all reported). */
    static LandlockRuleset compile(List<LoadedFile> files, Diagnostics diags) {
        List<LandlockSections> sections =
                files.stream().map(f -> LandlockSections.of(f.doc(), diags)).toList();
        Merged m = merge(sections);
        checkGoverned(m, diags);
        boolean confines = m.handledFs() != 0 || m.handledNet() != 0 || m.scope() != 0;
        Optional<Scalar> setting = files.get(0).doc().landlock();
        if (!confines && setting.isPresent() && sections.stream().noneMatch(LandlockSections::confinesSomething)) {
            diags.warning(
                    setting.get().pos(),
                    "'landlock: " + setting.get().text() + "' has no effect: the policy has "
                            + "no filesystem, network or scope section");
        }
        if (!confines || diags.hasErrors()) {
            return LandlockRuleset.NONE;
        }
        return lower(m, compat(sections), firstSection(files));
    }

    /** Where the first Landlock section is written: the top file's, else the first included file's that has one. */
    private static SourcePos firstSection(List<LoadedFile> files) {
        for (LoadedFile f : files) {
            PolicyDocument d = f.doc();
            Optional<SourcePos> at = d.filesystem()
                    .map(PolicyDocument.FilesystemSyntax::pos)
                    .or(() -> d.network().map(PolicyDocument.NetworkSyntax::pos))
                    .or(() -> d.scope().stream().findFirst().map(Scalar::pos));
            if (at.isPresent()) {
                return at.get();
            }
        }
        return null;
    }

    /**
     * The top file's {@code landlock:} setting; where it has none and no section of its own, the
     * setting of the files that bring the sections (required unless every one of them says
     * best-effort): a policy that only includes a shipped profile for its filter keeps the
     * profile's best-effort, and one that adds sections of its own says what it needs.
     */
    private static Compat compat(List<LandlockSections> sections) {
        LandlockSections top = sections.get(0);
        if (top.compat().isPresent() || top.confinesSomething()) {
            return top.compat().orElse(Compat.REQUIRED);
        }
        boolean allBestEffort = sections.stream()
                .skip(1)
                .filter(LandlockSections::confinesSomething)
                .allMatch(s -> s.compat().orElse(Compat.REQUIRED) == Compat.BEST_EFFORT);
        return allBestEffort ? Compat.BEST_EFFORT : Compat.REQUIRED;
    }

    /** The policy's sections as one: united rights, rules in order, ports by (direction, port). */
    private record Merged(long handledFs, List<Rule> rules, long handledNet, Map<PortKey, PortAt> ports, long scope) {}

    private record PortKey(long access, int port) {}

    private static Merged merge(List<LandlockSections> sections) {
        long fs = 0;
        long net = 0;
        long scope = 0;
        List<Rule> rules = new ArrayList<>();
        Map<PortKey, PortAt> ports = new LinkedHashMap<>();
        for (LandlockSections s : sections) {
            if (s.fs().isPresent()) {
                fs |= s.fs().get().confine();
                rules.addAll(s.fs().get().rules());
            }
            if (s.net().isPresent()) {
                net |= direction(NetAccess.BIND_TCP, s.net().get().bind(), ports);
                net |= direction(NetAccess.CONNECT_TCP, s.net().get().connect(), ports);
            }
            scope |= s.scope();
        }
        return new Merged(fs, rules, net, ports, scope);
    }

    /** {@code bit} when the file confines that direction (its ports added), else 0. */
    private static long direction(long bit, Optional<List<PortAt>> ports, Map<PortKey, PortAt> into) {
        ports.ifPresent(list -> list.forEach(p -> into.putIfAbsent(new PortKey(bit, p.port()), p)));
        return ports.isPresent() ? bit : 0;
    }

    /** A rule may grant only rights the ruleset handles: the kernel refuses the rule otherwise. */
    private static void checkGoverned(Merged m, Diagnostics diags) {
        for (Rule r : m.rules()) {
            for (Word w : r.access()) {
                long extra = w.bits() & ~m.handledFs();
                if (extra == 0) {
                    continue;
                }
                List<String> names = FsAccess.names(extra);
                boolean itself =
                        FsAccess.names(w.bits()).equals(List.of(w.at().text().replace('-', '_')));
                diags.error(
                        w.at().pos(),
                        "'" + w.at().text() + "' "
                                + (itself ? "is a right that" : "grants " + String.join(", ", names) + ", which")
                                + " the policy's 'confine' does not govern"
                                + " (it governs: " + governed(m.handledFs())
                                + "); the kernel refuses a rule for a right the "
                                + "ruleset does not handle: add " + (names.size() == 1 ? "it" : "them")
                                + " to 'confine'");
            }
        }
    }

    private static String governed(long fs) {
        return fs == 0 ? "none" : String.join(", ", FsAccess.names(fs));
    }

    private static LandlockRuleset lower(Merged m, Compat compat, SourcePos at) {
        List<PathRule> paths = new ArrayList<>();
        for (Rule r : m.rules()) {
            long access = r.bits();
            for (PathAt p : r.paths()) {
                paths.add(new PathRule(p.path(), access, r.optional(), p.pos()));
            }
        }
        List<PortRule> ports = new ArrayList<>();
        m.ports().forEach((k, p) -> ports.add(new PortRule(k.access(), p.port(), p.pos())));
        return new LandlockRuleset(m.handledFs(), m.handledNet(), m.scope(), paths, ports, compat, at);
    }
}
