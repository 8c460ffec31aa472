package dev.syscage.policy.parse;

import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.parse.PolicyDocument.FilesystemSyntax;
import dev.syscage.policy.parse.PolicyDocument.FrequencyEntry;
import dev.syscage.policy.parse.PolicyDocument.FsRuleSyntax;
import dev.syscage.policy.parse.PolicyDocument.GroupDef;
import dev.syscage.policy.parse.PolicyDocument.IsolateSyntax;
import dev.syscage.policy.parse.PolicyDocument.NetworkSyntax;
import dev.syscage.policy.parse.PolicyDocument.PortsSyntax;
import dev.syscage.policy.parse.PolicyDocument.RuleSyntax;
import dev.syscage.policy.parse.PolicyDocument.SuperviseRuleSyntax;
import dev.syscage.policy.parse.PolicyDocument.SuperviseSyntax;
import dev.syscage.policy.parse.YamlNode.Entry;
import dev.syscage.policy.parse.YamlNode.Mapping;
import dev.syscage.policy.parse.YamlNode.Scalar;
import dev.syscage.policy.parse.YamlNode.Sequence;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks the shape of a policy file's YAML tree and turns it into a {@link PolicyDocument}:
 * known keys only (with "did you mean"), the right YAML type under each key, version 1. Every
 * problem is reported and reading goes on, so one run shows them all.
 *
 * <pre>
 * document   = { "version": 1, ["name": STR], ["description": STR], ["include": names],
 *                ["arch": names], ["default": ACTION], ["unknown": ACTION], ["bad_arch": ACTION],
 *                ["frequency": { SYSCALL: COUNT }], ["groups": { NAME: names }], ["rules": [ rule ]],
 *                ["supervise": supervise], ["landlock": COMPAT], ["filesystem": filesystem],
 *                ["network": network], ["scope": names], ["isolate": isolate] }
 * rule       = { "action": ACTION, "syscalls": names, ["when": EXPR], ["comment": STR] }
 * supervise  = { ["log": LOG_LEVEL], ["rules": [ srule ]], ["default": DECISION], ["hooks": [ CLASS ]] }
 * srule      = { "syscalls": names, ["path": names], ["when": EXPR], "decision": DECISION, ["comment": STR] }
 * filesystem = { ["confine": names], ["allow": [ fsrule ]] }           (not empty)
 * fsrule     = { "paths": names, "access": names, ["optional": BOOL], ["comment": STR] }
 * network    = { ["bind": ports], ["connect": ports] }                 (not empty)
 * ports      = PORT | "any" | [ PORT, ... ]                           (PORT, "any": checked later)
 * isolate    = { ["namespaces": names], ["read-only": names], ["writable": names],
 *                ["compat": COMPAT] }                                  (not empty)
 * COMPAT     = "required" | "best-effort"                            (checked later)
 * names      = STR | [ STR, ... ]
 * </pre>
 */
public final class DocumentReader {
    /** The only language version there is. */
    public static final int VERSION = 1;

    static final List<String> TOP_KEYS = List.of(
            "version",
            "name",
            "description",
            "include",
            "arch",
            "default",
            "unknown",
            "bad_arch",
            "frequency",
            "groups",
            "rules",
            "supervise",
            "landlock",
            "filesystem",
            "network",
            "scope",
            "isolate");
    static final List<String> RULE_KEYS = List.of("action", "syscalls", "when", "comment");
    static final List<String> SUPERVISE_KEYS = List.of("log", "rules", "default", "hooks");
    static final List<String> SUPERVISE_RULE_KEYS = List.of("syscalls", "path", "when", "decision", "comment");
    static final List<String> FILESYSTEM_KEYS = List.of("confine", "allow");
    static final List<String> FS_RULE_KEYS = List.of("paths", "access", "optional", "comment");
    static final List<String> NETWORK_KEYS = List.of("bind", "connect");
    static final List<String> ISOLATE_KEYS = List.of("namespaces", "read-only", "writable", "compat");
    private static final Map<String, String> ISOLATE_ADVICE = Map.of(
            "landlock", "; the isolate section says what to do where it cannot be made with 'compat'",
            "unshare", " (did you mean 'namespaces'?)",
            "read-write", " (did you mean 'writable'?)");
    private static final Map<String, String> FILESYSTEM_ADVICE = Map.of(
            "deny", "; Landlock only grants: a right 'confine' governs is denied wherever no 'allow' rule grants it",
            "rules", " (did you mean 'allow'?)");
    private static final Map<String, String> FS_RULE_ADVICE = Map.of(
            "path", " (did you mean 'paths'?)",
            "rights", " (did you mean 'access'?)");
    private static final Map<String, String> NETWORK_ADVICE =
            Map.of("udp", "; Landlock confines TCP ports only: UDP stays with seccomp rules (socket, sendto)");
    /** Keys from ordinary rules that people will write in supervise rules, and what to say then. */
    private static final Map<String, String> SUPERVISE_RULE_ADVICE = Map.of(
            "action",
                    "; a supervise rule says what to do with 'decision: allow', 'decision: errno NAME' or 'decision: kill'",
            "paths", " (did you mean 'path'?)");

    private final Diagnostics diags;

    private DocumentReader(Diagnostics diags) {
        this.diags = diags;
    }

    /** The document, or empty when the root is not a map at all (diagnosed). */
    public static Optional<PolicyDocument> read(YamlNode root, Diagnostics diags) {
        if (!(root instanceof Mapping m)) {
            diags.error(
                    root.pos(), "expected a policy (a map with version, default and rules), got " + root.describe());
            return Optional.empty();
        }
        return Optional.of(new DocumentReader(diags).document(m));
    }

    private PolicyDocument document(Mapping m) {
        checkKeys(m, TOP_KEYS, "");
        version(m);
        return new PolicyDocument(
                m.pos().source(),
                m.pos(),
                m.entries().stream().map(e -> e.key().text()).toList(),
                text(m, "name", "a string"),
                text(m, "description", "a string"),
                names(m, "include", "a file or profile name", true),
                names(m, "arch", "an architecture name", false),
                text(m, "default", "an action"),
                text(m, "unknown", "an action"),
                text(m, "bad_arch", "an action"),
                frequency(m),
                groups(m),
                rules(m),
                supervise(m),
                landlock(m),
                filesystem(m),
                network(m),
                names(m, "scope", "a scope", false),
                isolate(m));
    }

    private void checkKeys(Mapping m, List<String> allowed, String where) {
        checkKeys(m, allowed, where, Map.of());
    }

    /** Reports keys not in {@code allowed}; {@code advice} replaces the usual hint for some keys. */
    private void checkKeys(Mapping m, List<String> allowed, String where, Map<String, String> advice) {
        for (Entry e : m.entries()) {
            String key = e.key().text();
            if (allowed.contains(key)) {
                continue;
            }
            if (advice.containsKey(key)) {
                diags.error(e.key().pos(), "unknown " + where + "key '" + key + "'" + advice.get(key));
                continue;
            }
            String hint = Suggestions.hint(key, allowed);
            diags.error(
                    e.key().pos(),
                    "unknown " + where + "key '" + key + "'"
                            + (hint.isEmpty() ? "; expected one of: " + String.join(", ", allowed) : hint));
        }
    }

    private void version(Mapping m) {
        Optional<Entry> e = m.entry("version");
        if (e.isEmpty()) {
            diags.error(m.pos(), "missing 'version: " + VERSION + "' (the policy language version)");
        } else if (!(e.get().value() instanceof Scalar s)
                || s.type() != Scalar.Type.INTEGER
                || !s.text().equals(String.valueOf(VERSION))) {
            diags.error(
                    e.get().value().pos(),
                    "unsupported policy version: expected " + VERSION + ", got "
                            + e.get().value().describe());
        }
    }

    private Optional<Scalar> text(Mapping m, String key, String what) {
        return m.entry(key).flatMap(e -> scalarValue(e, what));
    }

    /** A non-null scalar under a key; anything else is reported. */
    private Optional<Scalar> scalarValue(Entry e, String what) {
        YamlNode v = e.value();
        if (v instanceof Scalar s && !s.isNull()) {
            return Optional.of(s);
        }
        typeError(e, what);
        return Optional.empty();
    }

    /** "'key' expects X, got Y", at the value, or at the key when the value is empty. */
    private void typeError(Entry e, String expected) {
        YamlNode v = e.value();
        SourcePos at = v instanceof Scalar s && s.isNull() ? e.key().pos() : v.pos();
        diags.error(at, "'" + e.key().text() + "' expects " + expected + ", got " + v.describe());
    }

    /** A list of scalars, or one scalar standing for a list of one. */
    private List<Scalar> names(Mapping m, String key, String item, boolean mayBeEmpty) {
        Optional<Entry> e = m.entry(key);
        return e.isEmpty() ? List.of() : names(e.get(), item, mayBeEmpty);
    }

    private List<Scalar> names(Entry e, String item, boolean mayBeEmpty) {
        YamlNode v = e.value();
        String key = e.key().text();
        if (v instanceof Scalar s && !s.isNull()) {
            return List.of(s);
        }
        if (!(v instanceof Sequence seq)) {
            typeError(e, "a list of " + plural(item));
            return List.of();
        }
        if (seq.items().isEmpty() && !mayBeEmpty) {
            diags.error(seq.pos(), "'" + key + "' is empty; give at least one " + item.replaceFirst("^an? ", ""));
        }
        List<Scalar> out = new ArrayList<>();
        for (YamlNode n : seq.items()) {
            if (n instanceof Scalar s && !s.isNull()) {
                out.add(s);
            } else {
                diags.error(n.pos(), "expected " + item + ", got " + n.describe());
            }
        }
        return out;
    }

    private static String plural(String item) {
        return item.replaceFirst("^an? ", "").replaceFirst("(name|pattern|path|right|port|scope)$", "$1s");
    }

    private List<FrequencyEntry> frequency(Mapping m) {
        Optional<Mapping> map = mapUnder(m, "frequency", "a map of syscall names to call counts");
        List<FrequencyEntry> out = new ArrayList<>();
        for (Entry e : map.map(Mapping::entries).orElse(List.of())) {
            Optional<Long> count = count(e.value());
            if (count.isEmpty()) {
                diags.error(
                        e.value().pos(),
                        "expected a call count (a whole number, 0 or more), got "
                                + e.value().describe());
            } else {
                out.add(new FrequencyEntry(e.key(), count.get()));
            }
        }
        return out;
    }

    private static Optional<Long> count(YamlNode n) {
        if (n instanceof Scalar s && s.type() == Scalar.Type.INTEGER) {
            try {
                long v = Long.parseLong(s.text().replace("_", ""));
                return v >= 0 ? Optional.of(v) : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private List<GroupDef> groups(Mapping m) {
        Optional<Mapping> map = mapUnder(m, "groups", "a map of group names to lists of syscalls");
        List<GroupDef> out = new ArrayList<>();
        for (Entry e : map.map(Mapping::entries).orElse(List.of())) {
            Scalar name = e.key();
            if (name.text().startsWith("@")) {
                diags.error(
                        name.pos(),
                        "define the group as '" + name.text().substring(1) + ":' (without '@'); "
                                + "'@' is only for using it");
                continue;
            }
            out.add(new GroupDef(name, names(e, "a syscall or \"@group\" name", true)));
        }
        return out;
    }

    private Optional<Mapping> mapUnder(Mapping m, String key, String what) {
        Optional<Entry> e = m.entry(key);
        if (e.isEmpty()) {
            return Optional.empty();
        }
        if (e.get().value() instanceof Mapping map) {
            return Optional.of(map);
        }
        typeError(e.get(), what);
        return Optional.empty();
    }

    private List<RuleSyntax> rules(Mapping m) {
        List<RuleSyntax> out = new ArrayList<>();
        for (Mapping rule : ruleMaps(m, "rules", "a rule (a map with 'action' and 'syscalls')")) {
            out.add(rule(rule));
        }
        return out;
    }

    /** The maps listed under {@code key} of {@code m}; anything else there is reported as not {@code what}. */
    private List<Mapping> ruleMaps(Mapping m, String key, String what) {
        Optional<Entry> e = m.entry(key);
        if (e.isEmpty()) {
            return List.of();
        }
        if (!(e.get().value() instanceof Sequence seq)) {
            typeError(e.get(), "a list of rules");
            return List.of();
        }
        List<Mapping> out = new ArrayList<>();
        for (YamlNode n : seq.items()) {
            if (n instanceof Mapping rule) {
                out.add(rule);
            } else {
                diags.error(n.pos(), "expected " + what + ", got " + n.describe());
            }
        }
        return out;
    }

    private RuleSyntax rule(Mapping m) {
        checkKeys(m, RULE_KEYS, "rule ");
        Optional<Scalar> action = text(m, "action", "an action");
        if (m.entry("action").isEmpty()) {
            diags.error(m.pos(), "this rule has no 'action' (allow, errno NAME, kill, ...)");
        }
        Optional<Entry> syscalls = m.entry("syscalls");
        if (syscalls.isEmpty()) {
            diags.error(m.pos(), "this rule has no 'syscalls' list");
        }
        List<Scalar> names = syscalls.map(e -> names(e, "a syscall or \"@group\" name", false))
                .orElse(List.of());
        return new RuleSyntax(m.pos(), action, names, text(m, "when", "a condition"), text(m, "comment", "a string"));
    }

    private Optional<SuperviseSyntax> supervise(Mapping m) {
        Optional<Entry> e = m.entry("supervise");
        if (e.isEmpty()) {
            return Optional.empty();
        }
        if (!(e.get().value() instanceof Mapping section)) {
            typeError(e.get(), "a map with 'rules' and optionally 'log' and 'default'");
            return Optional.empty();
        }
        checkKeys(section, SUPERVISE_KEYS, "supervise ");
        List<SuperviseRuleSyntax> rules = new ArrayList<>();
        for (Mapping r : ruleMaps(section, "rules", "a supervise rule (a map with 'syscalls' and 'decision')")) {
            rules.add(superviseRule(r));
        }
        return Optional.of(new SuperviseSyntax(
                e.get().key().pos(),
                text(section, "log", "a log level (all, decisions, denied or none)"),
                text(section, "default", "a decision (allow, errno NAME or kill)"),
                rules,
                names(section, "hooks", "a SyscallHook class name", true)));
    }

    private SuperviseRuleSyntax superviseRule(Mapping m) {
        checkKeys(m, SUPERVISE_RULE_KEYS, "supervise rule ", SUPERVISE_RULE_ADVICE);
        Optional<Entry> syscalls = m.entry("syscalls");
        if (syscalls.isEmpty()) {
            diags.error(m.pos(), "this supervise rule has no 'syscalls' list");
        }
        if (m.entry("decision").isEmpty()) {
            diags.error(m.pos(), "this supervise rule has no 'decision' (allow, errno NAME or kill)");
        }
        text(m, "comment", "a string");
        return new SuperviseRuleSyntax(
                m.pos(),
                syscalls.map(e -> names(e, "a syscall or \"@group\" name", false))
                        .orElse(List.of()),
                names(m, "path", "a path pattern", false),
                text(m, "when", "a condition"),
                text(m, "decision", "a decision (allow, errno NAME or kill)"));
    }

    private Optional<Scalar> landlock(Mapping m) {
        Optional<Entry> e = m.entry("landlock");
        if (e.isPresent() && e.get().value() instanceof Mapping) {
            typeError(
                    e.get(),
                    "required or best-effort (filesystem, network and scope are keys of their own, "
                            + "at the top level)");
            return Optional.empty();
        }
        return text(m, "landlock", "required or best-effort");
    }

    /**
     * The map under {@code key}, reported when it is something else or empty ({@code what} says
     * what it should hold).
     */
    private Optional<Section> section(Mapping m, String key, String what) {
        Optional<Entry> e = m.entry(key);
        if (e.isEmpty()) {
            return Optional.empty();
        }
        YamlNode v = e.get().value();
        boolean empty = v instanceof Scalar s && s.isNull()
                || v instanceof Mapping map && map.entries().isEmpty();
        if (empty) {
            diags.error(v instanceof Mapping ? v.pos() : e.get().key().pos(), "'" + key + "' is empty; give " + what);
            return Optional.empty();
        }
        if (!(v instanceof Mapping map)) {
            typeError(e.get(), "a map with " + what);
            return Optional.empty();
        }
        return Optional.of(new Section(e.get().key(), map));
    }

    /** A map under a top-level key, and the key (where the section is said to be). */
    private record Section(Scalar key, Mapping map) {}

    private Optional<FilesystemSyntax> filesystem(Mapping m) {
        return section(m, "filesystem", "'allow' rules (paths and access rights) and optionally 'confine'")
                .map(s -> {
                    Mapping section = s.map();
                    checkKeys(section, FILESYSTEM_KEYS, "filesystem ", FILESYSTEM_ADVICE);
                    List<FsRuleSyntax> allow = new ArrayList<>();
                    for (Mapping r :
                            ruleMaps(section, "allow", "a filesystem rule (a map with 'paths' and 'access')")) {
                        allow.add(fsRule(r));
                    }
                    return new FilesystemSyntax(
                            s.key().pos(), names(section, "confine", "an access right", false), allow);
                });
    }

    private FsRuleSyntax fsRule(Mapping m) {
        checkKeys(m, FS_RULE_KEYS, "filesystem rule ", FS_RULE_ADVICE);
        if (m.entry("paths").isEmpty()) {
            diags.error(
                    m.pos(),
                    "this filesystem rule has no 'paths' (absolute paths; the rule covers each and "
                            + "everything beneath it)");
        }
        if (m.entry("access").isEmpty()) {
            diags.error(m.pos(), "this filesystem rule has no 'access' list (read, write, execute, ...)");
        }
        text(m, "comment", "a string");
        boolean optional = false;
        Optional<Entry> opt = m.entry("optional");
        if (opt.isPresent()) {
            if (opt.get().value() instanceof Scalar s && s.type() == Scalar.Type.BOOLEAN) {
                optional = List.of("true", "yes", "on", "y").contains(s.text().toLowerCase(java.util.Locale.ROOT));
            } else {
                typeError(opt.get(), "true or false");
            }
        }
        return new FsRuleSyntax(
                m.pos(),
                names(m, "paths", "an absolute path", false),
                names(m, "access", "an access right", false),
                optional);
    }

    private Optional<NetworkSyntax> network(Mapping m) {
        return section(m, "network", "'bind' and/or 'connect' port lists").map(s -> {
            checkKeys(s.map(), NETWORK_KEYS, "network ", NETWORK_ADVICE);
            return new NetworkSyntax(s.key().pos(), ports(s.map(), "bind"), ports(s.map(), "connect"));
        });
    }

    private Optional<PortsSyntax> ports(Mapping m, String key) {
        return m.entry(key).map(e -> new PortsSyntax(e.key(), names(e, "a TCP port", true)));
    }

    private Optional<IsolateSyntax> isolate(Mapping m) {
        return section(m, "isolate", "'namespaces', 'read-only' and/or 'writable' lists")
                .map(s -> {
                    checkKeys(s.map(), ISOLATE_KEYS, "isolate ", ISOLATE_ADVICE);
                    return new IsolateSyntax(
                            s.key().pos(),
                            names(s.map(), "namespaces", "a namespace name", true),
                            names(s.map(), "read-only", "an absolute path", true),
                            names(s.map(), "writable", "an absolute path", true),
                            text(s.map(), "compat", "required or best-effort"));
                });
    }
}
