package dev.syscage.policy.validate;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallIndex;
import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.load.LoadedFile;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.SuperviseDecision;
import dev.syscage.policy.model.SuperviseRule;
import dev.syscage.policy.model.Supervision;
import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.policy.model.SyscallSet;
import dev.syscage.policy.parse.PolicyDocument.SuperviseRuleSyntax;
import dev.syscage.policy.parse.PolicyDocument.SuperviseSyntax;
import dev.syscage.policy.parse.Suggestions;
import dev.syscage.policy.parse.YamlNode.Scalar;
import dev.syscage.policy.path.PathPattern;
import dev.syscage.policy.path.PathPatternSyntaxError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * From the {@code supervise:} sections of a policy's files (the top file first, then its
 * includes in rule order) to its {@link Supervision}. Rules come from every file in that order;
 * {@code log} and {@code default} from the top file (an included file's are checked, not used).
 * Syscall names, groups and {@code when} are resolved per architecture exactly as in rules.
 */
final class SuperviseCompiler {

    /**
     * A {@code syscalls:} item of supervise rule {@code rule} and the names it was first to claim, for
     * {@link dev.syscage.policy.lint.SupervisorReach} and the family expansion's warnings.
     */
    record Item(int rule, Scalar item, List<String> names) {}

    private static final java.util.regex.Pattern CLASS_NAME =
            java.util.regex.Pattern.compile("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*");

    private final SyscallIndex index;
    private final SyscallNames names;
    private final Diagnostics diags;
    private final List<Item> items = new ArrayList<>();

    SuperviseCompiler(SyscallIndex index, SyscallNames names, Diagnostics diags) {
        this.index = index;
        this.names = names;
        this.diags = diags;
    }

    List<Item> items() {
        return items;
    }

    Supervision compile(List<LoadedFile> files) {
        Optional<SuperviseSyntax> top = files.get(0).doc().supervise();
        files.stream()
                .skip(1)
                .forEach(f -> f.doc().supervise().ifPresent(sec -> {
                    settings(sec);
                    hooks(sec);
                }));
        List<SuperviseRule> rules = new ArrayList<>();
        SourcePos firstSection = null;
        int n = 0;
        for (LoadedFile f : files) {
            Optional<SuperviseSyntax> section = f.doc().supervise();
            if (section.isPresent() && firstSection == null) {
                firstSection = section.get().pos();
            }
            for (SuperviseRuleSyntax r : section.map(SuperviseSyntax::rules).orElse(List.of())) {
                rule(n++, f, r).ifPresent(rules::add);
            }
        }
        if (firstSection == null) {
            return Supervision.NONE;
        }
        Settings s = top.map(this::settings).orElse(new Settings(LogLevel.ALL, SuperviseDecision.ALLOW));
        return new Supervision(
                s.log(),
                rules,
                s.defaultDecision(),
                top.map(SuperviseSyntax::pos).orElse(firstSection),
                top.map(this::hooks).orElse(List.of()));
    }

    /** The top file's hook class names (an included file's are checked, not used, like its settings). */
    private List<String> hooks(SuperviseSyntax section) {
        List<String> out = new ArrayList<>();
        for (Scalar h : section.hooks()) {
            if (!CLASS_NAME.matcher(h.text()).matches()) {
                diags.error(
                        h.pos(),
                        "'" + h.text() + "' is not a Java class name (a SyscallHook such as com.example.MyHook)");
            } else {
                out.add(h.text());
            }
        }
        return out;
    }

    private record Settings(LogLevel log, SuperviseDecision defaultDecision) {}

    private Settings settings(SuperviseSyntax section) {
        LogLevel log = section.log().flatMap(this::logLevel).orElse(LogLevel.ALL);
        SuperviseDecision def = section.defaultDecision()
                .flatMap(d -> DecisionParser.parse(d, diags))
                .orElse(SuperviseDecision.ALLOW);
        return new Settings(log, def);
    }

    private Optional<LogLevel> logLevel(Scalar s) {
        Optional<LogLevel> level = LogLevel.byWord(s.text());
        if (level.isEmpty()) {
            List<String> words =
                    Arrays.stream(LogLevel.values()).map(LogLevel::word).toList();
            String hint = Suggestions.hint(s.text(), words);
            diags.error(
                    s.pos(),
                    "unknown log level '" + s.text() + "'"
                            + (hint.isEmpty() ? "; expected all, decisions, denied or none" : hint));
        }
        return level;
    }

    /** The rule, or empty when it has errors (all reported). */
    private Optional<SuperviseRule> rule(int index, LoadedFile file, SuperviseRuleSyntax r) {
        int errorsBefore = errorCount();
        Optional<SuperviseDecision> decision = r.decision().flatMap(d -> DecisionParser.parse(d, diags));
        List<PathPattern> paths = patterns(r.paths());
        Optional<RuleCondition> when = r.when().map(w -> new RuleCondition(w, diags));
        Map<Arch, Map<Integer, Cond>> calls = new EnumMap<>(Arch.class);
        Map<String, Scalar> claimed = new HashMap<>();
        for (Scalar item : r.syscalls()) {
            List<String> own = new ArrayList<>();
            for (String name : names.of(item, file)) {
                Scalar first = claimed.putIfAbsent(name, item);
                if (first == null) {
                    place(name, when, calls);
                    own.add(name);
                } else if (first != item
                        && !item.text().startsWith("@")
                        && !first.text().startsWith("@")) {
                    diags.warning(item.pos(), "'" + name + "' is listed twice in this rule");
                }
            }
            items.add(new Item(index, item, own));
        }
        when.ifPresent(RuleCondition::finish);
        if (errorCount() > errorsBefore || decision.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new SuperviseRule(
                index,
                r.pos(),
                r.syscalls().stream().map(Scalar::text).toList(),
                SyscallSet.of(calls),
                paths,
                when.map(RuleCondition::text).orElse(null),
                decision.get()));
    }

    private void place(String name, Optional<RuleCondition> when, Map<Arch, Map<Integer, Cond>> calls) {
        for (Arch arch : index.arches()) {
            Optional<Syscall> s = index.on(arch, name);
            if (s.isEmpty()) {
                continue;
            }
            Cond cond = when.isPresent() ? when.get().resolve(s.get()) : Cond.TRUE;
            if (cond != null) {
                calls.computeIfAbsent(arch, a -> new TreeMap<>()).put(s.get().nr(), cond);
            }
        }
    }

    private List<PathPattern> patterns(List<Scalar> written) {
        List<PathPattern> out = new ArrayList<>();
        for (Scalar s : written) {
            try {
                out.add(PathPattern.compile(s.text()));
            } catch (PathPatternSyntaxError e) {
                diags.error(s.posAt(e.offset()), e.getMessage());
            }
        }
        return out;
    }

    private int errorCount() {
        return (int) diags.all().stream().filter(d -> d.isError()).count();
    }
}
