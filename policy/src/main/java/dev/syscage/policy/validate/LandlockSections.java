package dev.syscage.policy.validate;

import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.landlock.FsAccess;
import dev.syscage.policy.landlock.LandlockRuleset.Compat;
import dev.syscage.policy.landlock.Scope;
import dev.syscage.policy.parse.PolicyDocument;
import dev.syscage.policy.parse.PolicyDocument.FilesystemSyntax;
import dev.syscage.policy.parse.PolicyDocument.FsRuleSyntax;
import dev.syscage.policy.parse.PolicyDocument.NetworkSyntax;
import dev.syscage.policy.parse.PolicyDocument.PortsSyntax;
import dev.syscage.policy.parse.Suggestions;
import dev.syscage.policy.parse.YamlNode.Scalar;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The first step of {@link LandlockCompiler}: one file's Landlock sections resolved on their own,
 * words to kernel bits, paths and ports checked, each kept with its position. Nothing here
 * depends on the other files of the policy; merging them is the next step.
 *
 * @param compat the file's {@code landlock:} setting, empty when it has none (or it was wrong)
 * @param fs     its {@code filesystem:} section
 * @param net    its {@code network:} section
 * @param scope  its {@code scope:} bits (0 without the section)
 */
record LandlockSections(Optional<Compat> compat, Optional<Fs> fs, Optional<Net> net, long scope) {

    /** {@code filesystem:}: the rights it governs (its {@code confine}) and its rules. */
    record Fs(long confine, List<Rule> rules) {
        Fs {
            rules = List.copyOf(rules);
        }
    }

    /** An {@code allow} rule: every right of {@code access} beneath each of {@code paths}. */
    record Rule(List<PathAt> paths, List<Word> access, boolean optional) {
        Rule {
            paths = List.copyOf(paths);
            access = List.copyOf(access);
        }

        long bits() {
            return access.stream().mapToLong(Word::bits).reduce(0, (a, b) -> a | b);
        }
    }

    /** A checked path and where it is written. */
    record PathAt(String path, SourcePos pos) {}

    /** An access word, the rights it stands for, and where it is written. */
    record Word(Scalar at, long bits) {}

    /** {@code network:}: per direction, the ports allowed, or empty for {@code any} (not confined here). */
    record Net(Optional<List<PortAt>> bind, Optional<List<PortAt>> connect) {}

    /** A port and where it is written. */
    record PortAt(int port, SourcePos pos) {}

    /** Whether the file has any of the sections that make a domain. */
    boolean confinesSomething() {
        return fs.isPresent() || net.isPresent() || scope != 0;
    }

    /** The file's sections, every problem reported to {@code diags}. */
    static LandlockSections of(PolicyDocument doc, Diagnostics diags) {
        return new LandlockSections(
                doc.landlock().flatMap(s -> compat(s, diags)),
                doc.filesystem().map(f -> fs(f, diags)),
                doc.network().map(n -> net(n, diags)),
                scope(doc.scope(), diags));
    }

    private static Optional<Compat> compat(Scalar s, Diagnostics diags) {
        for (Compat c : Compat.values()) {
            if (c.word().equals(s.text())) {
                return Optional.of(c);
            }
        }
        String hint = Suggestions.hint(s.text(), List.of("required", "best-effort"));
        diags.error(
                s.pos(),
                "unknown landlock setting '" + s.text() + "'"
                        + (hint.isEmpty() ? "; expected required or best-effort" : hint));
        return Optional.empty();
    }

    /** {@code confine} left out governs every right. */
    private static Fs fs(FilesystemSyntax f, Diagnostics diags) {
        long confine = f.confine().isEmpty()
                ? FsAccess.ALL
                : rights(f.confine(), diags).stream().mapToLong(Word::bits).reduce(0, (a, b) -> a | b);
        return new Fs(confine, rules(f.allow(), diags));
    }

    /** Access words to rights; unknown words are reported and left out. */
    static List<Word> rights(List<Scalar> words, Diagnostics diags) {
        List<Word> out = new ArrayList<>();
        for (Scalar w : words) {
            Optional<Long> bits = FsAccess.parse(w.text());
            if (bits.isPresent()) {
                out.add(new Word(w, bits.get()));
                continue;
            }
            String hint = Suggestions.hint(w.text(), FsAccess.words());
            diags.error(
                    w.pos(),
                    "unknown access right '" + w.text() + "'"
                            + (hint.isEmpty()
                                    ? "; expected " + String.join(", ", FsAccess.WORDS.keySet())
                                            + " or a kernel right name (read-file, make-reg, ...)"
                                    : hint));
        }
        return out;
    }

    private static List<Rule> rules(List<FsRuleSyntax> allow, Diagnostics diags) {
        List<Rule> out = new ArrayList<>();
        Map<String, SourcePos> seen = new HashMap<>();
        for (FsRuleSyntax r : allow) {
            List<PathAt> paths = new ArrayList<>();
            Map<String, SourcePos> inRule = new HashMap<>();
            for (Scalar s : r.paths()) {
                Optional<String> p = PathCheck.check(s, PathCheck.LANDLOCK, diags);
                if (p.isEmpty()) {
                    continue;
                }
                if (inRule.putIfAbsent(p.get(), s.pos()) != null) {
                    diags.warning(s.pos(), "'" + p.get() + "' is listed twice in this rule");
                    continue;
                }
                SourcePos earlier = seen.putIfAbsent(p.get(), s.pos());
                if (earlier != null) {
                    diags.warning(
                            s.pos(),
                            "'" + p.get() + "' also has a rule at line " + earlier.line()
                                    + "; Landlock grants the rights of both");
                }
                paths.add(new PathAt(p.get(), s.pos()));
            }
            out.add(new Rule(paths, rights(r.access(), diags), r.optional()));
        }
        return out;
    }

    private static Net net(NetworkSyntax n, Diagnostics diags) {
        Optional<List<PortAt>> bind =
                n.bind().isEmpty() ? Optional.of(List.of()) : ports(n.bind().get(), diags);
        Optional<List<PortAt>> connect = n.connect().isEmpty()
                ? Optional.of(List.of())
                : ports(n.connect().get(), diags);
        if (bind.isEmpty() && connect.isEmpty()) {
            diags.warning(n.pos(), "'network' confines nothing: bind and connect are both 'any'");
        }
        return new Net(bind, connect);
    }

    /** The ports of {@code bind:} or {@code connect:}; empty for {@code any}. */
    private static Optional<List<PortAt>> ports(PortsSyntax p, Diagnostics diags) {
        String key = p.key().text();
        if (p.items().stream().anyMatch(s -> s.text().equals("any"))) {
            if (p.items().size() > 1) {
                Scalar any = p.items().stream()
                        .filter(s -> s.text().equals("any"))
                        .findFirst()
                        .orElseThrow();
                diags.error(
                        any.pos(),
                        "'any' cannot be listed with ports: '" + key + ": any' alone leaves " + key
                                + " unconfined, a list of ports allows only those");
            }
            return Optional.empty();
        }
        List<PortAt> out = new ArrayList<>();
        Map<Integer, SourcePos> seen = new HashMap<>();
        for (Scalar s : p.items()) {
            String t = s.text();
            if (!t.matches("-?[0-9]{1,18}")) {
                diags.error(
                        s.pos(),
                        "'" + t + "' is not a port; '" + key + "' expects TCP port numbers (0..65535) or 'any'");
            } else if (Long.parseLong(t) < 0 || Long.parseLong(t) > 65535) {
                diags.error(s.pos(), "port " + t + " is out of range; TCP ports are 0..65535");
            } else if (seen.putIfAbsent(Integer.parseInt(t), s.pos()) != null) {
                diags.warning(s.pos(), "port " + t + " is listed twice");
            } else {
                out.add(new PortAt(Integer.parseInt(t), s.pos()));
            }
        }
        return Optional.of(out);
    }

    private static long scope(List<Scalar> words, Diagnostics diags) {
        long bits = 0;
        for (Scalar w : words) {
            Optional<Long> b = Scope.parse(w.text());
            if (b.isPresent()) {
                bits |= b.get();
                continue;
            }
            String hint = Suggestions.hint(w.text(), Scope.words());
            diags.error(
                    w.pos(),
                    "unknown scope '" + w.text() + "'"
                            + (hint.isEmpty() ? "; expected signal, abstract-unix-socket or all" : hint));
        }
        return bits;
    }
}
