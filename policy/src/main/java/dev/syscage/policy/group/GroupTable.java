package dev.syscage.policy.group;

import dev.syscage.policy.arch.SyscallIndex;
import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.input.InputLimits;
import dev.syscage.policy.load.LoadedFile;
import dev.syscage.policy.parse.PolicyDocument.GroupDef;
import dev.syscage.policy.parse.Suggestions;
import dev.syscage.policy.parse.YamlNode.Scalar;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The groups a policy can use: the shipped ones and those its files define. A file sees its
 * own groups and those of the files it includes, directly or not. Defining a name twice (or
 * reusing a shipped name), referring to an unknown group, and cycles are errors; members that
 * name no syscall of any architecture are errors too, members missing on one architecture are
 * skipped there.
 */
public final class GroupTable {
    private record UserGroup(GroupDef def, LoadedFile file) {
        String name() {
            return def.name().text();
        }
    }

    private final Groups shipped;
    private final SyscallIndex index;
    private final Diagnostics diags;
    private final Map<String, UserGroup> user = new LinkedHashMap<>();
    private final Map<String, Set<String>> visible = new HashMap<>();

    private GroupTable(Groups shipped, SyscallIndex index, Diagnostics diags) {
        this.shipped = shipped;
        this.index = index;
        this.diags = diags;
    }

    public static GroupTable build(Groups shipped, List<LoadedFile> files, SyscallIndex index, Diagnostics diags) {
        GroupTable t = new GroupTable(shipped, index, diags);
        t.computeVisibility(files);
        t.define(files);
        for (UserGroup g : t.user.values()) {
            t.checkMembers(g);
        }
        t.checkCycles();
        return t;
    }

    private void computeVisibility(List<LoadedFile> files) {
        Map<String, LoadedFile> byKey = new HashMap<>();
        files.forEach(f -> byKey.put(f.key(), f));
        for (LoadedFile f : files) {
            Set<String> seen = new HashSet<>();
            Deque<String> todo = new ArrayDeque<>(List.of(f.key()));
            while (!todo.isEmpty()) {
                String k = todo.pop();
                if (seen.add(k) && byKey.containsKey(k)) {
                    todo.addAll(byKey.get(k).includeKeys());
                }
            }
            visible.put(f.key(), seen);
        }
    }

    private void define(List<LoadedFile> files) {
        for (LoadedFile f : files) {
            for (GroupDef d : f.doc().groups()) {
                String name = d.name().text();
                UserGroup first = user.get(name);
                if (first != null) {
                    diags.error(
                            d.name().pos(),
                            "group '" + name + "' is defined twice (first at "
                                    + first.def().name().pos().fileLine() + ")");
                } else if (shipped.group(name).isPresent()) {
                    diags.error(d.name().pos(), "group '" + name + "' is already a shipped group; choose another name");
                } else {
                    user.put(name, new UserGroup(d, f));
                }
            }
        }
    }

    private void checkMembers(UserGroup g) {
        for (Scalar m : g.def().members()) {
            String name = m.text();
            if (name.startsWith("@")) {
                lookup(name.substring(1), g.file(), m.pos());
            } else if (!index.known(name)) {
                diags.error(
                        m.pos(),
                        () -> "unknown syscall '" + name + "' in group '" + g.name() + "'"
                                + Suggestions.hint(name, candidates()));
            }
        }
    }

    /** Whether a chain of groups longer than {@link InputLimits#MAX_GROUP_DEPTH} was reported. */
    private boolean tooDeep;

    private void checkCycles() {
        Set<String> done = new HashSet<>();
        for (UserGroup g : user.values()) {
            findCycle(g, new ArrayList<>(), done);
        }
    }

    private void findCycle(UserGroup g, List<String> path, Set<String> done) {
        if (done.contains(g.name())) {
            return;
        }
        path.add(g.name());
        for (Scalar m : g.def().members()) {
            UserGroup next = m.text().startsWith("@") ? user.get(m.text().substring(1)) : null;
            if (next == null) {
                continue;
            }
            if (path.contains(next.name())) {
                List<String> cycle = new ArrayList<>(path.subList(path.indexOf(next.name()), path.size()));
                cycle.add(next.name());
                diags.error(m.pos(), "group cycle: @" + String.join(" -> @", cycle));
            } else if (path.size() >= InputLimits.MAX_GROUP_DEPTH) {
                if (tooDeep) {
                    continue; // one chain is enough to show; every later start point would repeat it
                }
                tooDeep = true;
                diags.error(
                        m.pos(),
                        "groups nest deeper than " + InputLimits.MAX_GROUP_DEPTH + " here (@" + path.get(0)
                                + " -> ... -> @" + g.name() + " -> @" + next.name() + "), the group nesting limit");
            } else {
                findCycle(next, path, done);
            }
        }
        path.remove(path.size() - 1);
        done.add(g.name());
    }

    /** Whether {@code @name} is visible from {@code from}; reports the problem at {@code at} if not. */
    private boolean lookup(String name, LoadedFile from, SourcePos at) {
        if (shipped.group(name).isPresent()) {
            return true;
        }
        UserGroup g = user.get(name);
        if (g == null) {
            diags.error(at, () -> "unknown group '@" + name + "'" + Suggestions.hint("@" + name, groupNames()));
            return false;
        }
        if (!visible.get(from.key()).contains(g.file().key())) {
            diags.error(
                    at,
                    "group '@" + name + "' is defined in " + g.file().origin().display()
                            + ", which this file does not include");
            return false;
        }
        return true;
    }

    /**
     * The syscall names {@code @name} stands for, as used in a rule of {@code from}; empty (and
     * reported) when the group is unknown or not visible there.
     */
    public Optional<List<String>> resolve(String name, LoadedFile from, SourcePos at) {
        if (!lookup(name, from, at)) {
            return Optional.empty();
        }
        Set<String> out = new LinkedHashSet<>();
        expand(name, out, new HashSet<>());
        return Optional.of(List.copyOf(out));
    }

    /** Depth first, members in order; with a stack of its own, as chains of groups may be long before they are reported. */
    private void expand(String name, Set<String> out, Set<String> seen) {
        Deque<Iterator<Scalar>> stack = new ArrayDeque<>();
        expandOne(name, out, seen, stack);
        while (!stack.isEmpty()) {
            Iterator<Scalar> members = stack.peek();
            if (!members.hasNext()) {
                stack.pop();
                continue;
            }
            Scalar m = members.next();
            if (m.text().startsWith("@")) {
                expandOne(m.text().substring(1), out, seen, stack);
            } else if (index.known(m.text())) {
                out.add(m.text());
            }
        }
    }

    /** A shipped group's syscalls go to {@code out}; a user group's members onto {@code stack}. */
    private void expandOne(String name, Set<String> out, Set<String> seen, Deque<Iterator<Scalar>> stack) {
        if (!seen.add(name)) {
            return;
        }
        if (shipped.group(name).isPresent()) {
            out.addAll(shipped.syscalls(name));
            return;
        }
        UserGroup g = user.get(name);
        if (g != null) {
            stack.push(g.def().members().iterator());
        }
    }

    /** Every group name with its '@'. */
    public Set<String> groupNames() {
        Set<String> names = new TreeSet<>();
        shipped.names().forEach(n -> names.add("@" + n));
        user.keySet().forEach(n -> names.add("@" + n));
        return names;
    }

    /** Syscall names and group names, for "did you mean" on an unknown syscall. */
    public Set<String> candidates() {
        Set<String> all = new TreeSet<>(index.allNames());
        all.addAll(groupNames());
        return all;
    }
}
