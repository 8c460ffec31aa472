package dev.syscage.policy.validate;

import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.isolate.Compat;
import dev.syscage.policy.isolate.Isolation;
import dev.syscage.policy.isolate.Namespace;
import dev.syscage.policy.load.LoadedFile;
import dev.syscage.policy.parse.PolicyDocument.IsolateSyntax;
import dev.syscage.policy.parse.Suggestions;
import dev.syscage.policy.parse.YamlNode.Scalar;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * From the {@code isolate:} sections of a policy's files (the top file first, then its includes
 * in rule order) to the {@link Isolation} the launcher sets up.
 *
 * <pre>
 * isolate = { ["namespaces": NS | [ NS, ... ]],          NS: net | ipc | uts
 *             ["read-only": PATH | [ PATH, ... ]],       absolute; no patterns, '.' or '..'
 *             ["writable": PATH | [ PATH, ... ]],        each beneath some read-only path
 *             ["compat": "required" | "best-effort"] }   default: required
 * </pre>
 *
 * <p>Merging, as the Landlock sections: namespaces are united; read-only and writable paths are
 * concatenated in file order with repeats dropped; {@code compat} is the top file's, or, where
 * the top file has no section, that of the included files that ask for something
 * ({@code best-effort} only if every one of them says so). Whether a writable path is beneath a
 * read-only one, and whether a path is both, is checked on the merged lists, so a file may open
 * up a path beneath what an included file makes read-only.
 */
final class IsolateCompiler {
    /** Namespaces every contained run has, and what to say when one is listed. */
    private static final Map<String, String> ALWAYS = Map.of(
            "pid", "every contained run has its own PID namespace already",
            "mount", "every contained run has its own mount namespace already (read-only mounts are 'read-only:')",
            "mnt", "every contained run has its own mount namespace already (read-only mounts are 'read-only:')");
    /** Namespaces syscage does not offer in a policy, and why. */
    private static final Map<String, String> NOT_OFFERED = Map.of(
            "user", "a user namespace is how syscage makes the others without privileges; it is not asked for",
            "cgroup", "syscage does not offer a cgroup namespace",
            "time", "syscage does not offer a time namespace",
            "network", "(did you mean 'net'?)");

    private IsolateCompiler() {}

    /** One file's section, checked on its own. */
    private record Section(
            SourcePos pos,
            Set<Namespace> namespaces,
            List<PathAt> readOnly,
            List<PathAt> writable,
            Optional<Compat> compat) {
        boolean asksSomething() {
            return !namespaces.isEmpty() || !readOnly.isEmpty();
        }
    }

    /** A checked path and where it is written. */
    private record PathAt(String path, SourcePos pos) {}

    /** The isolation; {@link Isolation#NONE} too when there were errors (all reported). */
    static Isolation compile(List<LoadedFile> files, Diagnostics diags) {
        List<Section> sections = new ArrayList<>();
        for (LoadedFile f : files) {
            f.doc().isolate().ifPresent(s -> sections.add(section(s, diags)));
        }
        if (sections.isEmpty()) {
            return Isolation.NONE;
        }
        Set<Namespace> namespaces = EnumSet.noneOf(Namespace.class);
        Map<String, PathAt> readOnly = new LinkedHashMap<>();
        Map<String, PathAt> writable = new LinkedHashMap<>();
        for (Section s : sections) {
            namespaces.addAll(s.namespaces());
            s.readOnly().forEach(p -> readOnly.putIfAbsent(p.path(), p));
            s.writable().forEach(p -> writable.putIfAbsent(p.path(), p));
        }
        checkNesting(readOnly, writable, diags);
        boolean topHasSection = files.get(0).doc().isolate().isPresent();
        if (namespaces.isEmpty() && readOnly.isEmpty()) {
            if (!diags.hasErrors()) { // else it is likely what was wrong
                diags.warning(
                        sections.get(0).pos(),
                        "'isolate' asks for nothing: it has no namespaces and no read-only " + "paths");
            }
            return Isolation.NONE;
        }
        if (diags.hasErrors()) {
            return Isolation.NONE;
        }
        return new Isolation(
                namespaces,
                List.copyOf(readOnly.keySet()),
                List.copyOf(writable.keySet()),
                compat(sections, topHasSection),
                sections.get(0).pos());
    }

    /**
     * The top file's {@code compat}; where the top file has no section, that of the included
     * sections that ask for something (required unless every one says best-effort), as
     * {@code landlock:} is merged.
     */
    private static Compat compat(List<Section> sections, boolean topHasSection) {
        if (topHasSection) {
            return sections.get(0).compat().orElse(Compat.REQUIRED);
        }
        boolean allBestEffort = sections.stream()
                .filter(Section::asksSomething)
                .allMatch(s -> s.compat().orElse(Compat.REQUIRED) == Compat.BEST_EFFORT);
        return allBestEffort ? Compat.BEST_EFFORT : Compat.REQUIRED;
    }

    private static Section section(IsolateSyntax s, Diagnostics diags) {
        Optional<Compat> compat = s.compat().flatMap(c -> {
            Optional<Compat> found = Compat.byWord(c.text());
            if (found.isEmpty()) {
                String hint = Suggestions.hint(c.text(), Compat.words());
                diags.error(
                        c.pos(),
                        "unknown isolate compat '" + c.text() + "'"
                                + (hint.isEmpty() ? "; expected required or best-effort" : hint));
            }
            return found;
        });
        return new Section(
                s.pos(),
                namespaces(s.namespaces(), diags),
                paths(s.readOnly(), "read-only", diags),
                paths(s.writable(), "writable", diags),
                compat);
    }

    private static Set<Namespace> namespaces(List<Scalar> words, Diagnostics diags) {
        Set<Namespace> out = EnumSet.noneOf(Namespace.class);
        for (Scalar w : words) {
            String t = w.text();
            Optional<Namespace> ns = Namespace.byWord(t);
            if (ns.isPresent()) {
                if (!out.add(ns.get())) {
                    diags.warning(w.pos(), "namespace '" + t + "' is listed twice");
                }
            } else if (ALWAYS.containsKey(t)) {
                diags.error(
                        w.pos(),
                        "'" + t + "' need not be listed: " + ALWAYS.get(t) + "; 'namespaces' lists the "
                                + "others a run may get: " + String.join(", ", Namespace.words()));
            } else if (NOT_OFFERED.containsKey(t)) {
                String why = NOT_OFFERED.get(t);
                diags.error(
                        w.pos(),
                        "unknown namespace '" + t + "'"
                                + (why.startsWith("(")
                                        ? " " + why
                                        : "; " + why + " (expected " + String.join(", ", Namespace.words()) + ")"));
            } else {
                String hint = Suggestions.hint(t, Namespace.words());
                diags.error(
                        w.pos(),
                        "unknown namespace '" + t + "'"
                                + (hint.isEmpty() ? "; expected " + String.join(", ", Namespace.words()) : hint));
            }
        }
        return out;
    }

    private static List<PathAt> paths(List<Scalar> items, String key, Diagnostics diags) {
        List<PathAt> out = new ArrayList<>();
        Map<String, SourcePos> seen = new HashMap<>();
        for (Scalar s : items) {
            Optional<String> p = PathCheck.check(s, PathCheck.mount(key), diags);
            if (p.isEmpty()) {
                continue;
            }
            if (seen.putIfAbsent(p.get(), s.pos()) != null) {
                diags.warning(s.pos(), "'" + p.get() + "' is listed twice in '" + key + "'");
                continue;
            }
            out.add(new PathAt(p.get(), s.pos()));
        }
        return out;
    }

    /** Each writable path beneath some read-only path; no path both. */
    private static void checkNesting(Map<String, PathAt> readOnly, Map<String, PathAt> writable, Diagnostics diags) {
        for (PathAt w : writable.values()) {
            PathAt both = readOnly.get(w.path());
            if (both != null) {
                diags.error(
                        w.pos(),
                        "'" + w.path() + "' is both read-only (" + both.pos().fileLine() + ") and writable; "
                                + "list it in one of them");
            } else if (readOnly.keySet().stream().noneMatch(r -> Isolation.beneath(w.path(), r))) {
                diags.error(
                        w.pos(),
                        "writable path '" + w.path() + "' is beneath no read-only path ("
                                + (readOnly.isEmpty()
                                        ? "there are none"
                                        : "read-only: " + String.join(", ", readOnly.keySet()))
                                + "); 'writable' binds a path back read-write inside a read-only one, and everything outside "
                                + "the read-only paths is writable already");
            }
        }
    }
}
