package dev.syscage.policy.group;

import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.diag.SourceText;
import dev.syscage.policy.parse.Suggestions;
import dev.syscage.policy.parse.YamlNode;
import dev.syscage.policy.parse.YamlReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The shipped syscall groups ({@code @basic-io}, {@code @network-io}, ...), read from the
 * resource {@code dev/syscage/policy/arch/groups.yaml}, beside the syscall tables. A group names
 * syscalls and other groups; the same group serves every architecture, members an architecture
 * lacks being skipped there. {@code GroupTable} adds the groups a policy defines.
 *
 * <pre>
 * groups = { NAME: { ["description": STR], "syscalls": [ SYSCALL | "@" NAME, ... ] } }
 * </pre>
 */
public final class Groups {
    private static final String RESOURCE = "/dev/syscage/policy/arch/groups.yaml";
    private static volatile Groups shipped;

    /** One group as written: members are syscall names or {@code @group} references. */
    public record Group(String name, String description, List<String> members, SourcePos pos) {
        public Group {
            members = List.copyOf(members);
        }
    }

    private final Map<String, Group> groups;

    private Groups(Map<String, Group> groups) {
        this.groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups));
    }

    /** The groups shipped with syscage; none if the resource is missing from the build. */
    public static Groups shipped() {
        if (shipped == null) {
            synchronized (Groups.class) {
                if (shipped == null) {
                    shipped = loadShipped();
                }
            }
        }
        return shipped;
    }

    public static Groups empty() {
        return new Groups(Map.of());
    }

    private static Groups loadShipped() {
        try (InputStream in = Groups.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return empty();
            }
            return parse(RESOURCE.substring(1), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads groups from YAML text. Unknown keys, undefined {@code @references} and cycles are
     * errors, thrown together as a {@link PolicyException}.
     */
    public static Groups parse(String displayName, String yaml) {
        SourceText source = new SourceText(displayName, yaml);
        Diagnostics diags = new Diagnostics();
        Map<String, Group> out = new LinkedHashMap<>();
        YamlReader.read(source, yaml, diags).ifPresent(root -> readAll(root, out, diags));
        checkReferences(out, diags);
        diags.throwIfErrors();
        return new Groups(out);
    }

    private static void readAll(YamlNode root, Map<String, Group> out, Diagnostics diags) {
        if (!(root instanceof YamlNode.Mapping m)) {
            diags.error(root.pos(), "expected a map of group names, got " + root.describe());
            return;
        }
        for (YamlNode.Entry e : m.entries()) {
            readGroup(e, diags).ifPresent(g -> out.put(g.name(), g));
        }
    }

    private static Optional<Group> readGroup(YamlNode.Entry e, Diagnostics diags) {
        String name = e.key().text();
        if (!(e.value() instanceof YamlNode.Mapping body)) {
            diags.error(
                    e.value().pos(),
                    "group '" + name + "' expects {description: ..., syscalls: [...]}, got "
                            + e.value().describe());
            return Optional.empty();
        }
        String description = "";
        List<String> members = null;
        for (YamlNode.Entry f : body.entries()) {
            String key = f.key().text();
            if (key.equals("description") && f.value() instanceof YamlNode.Scalar s && !s.isNull()) {
                description = s.text();
            } else if (key.equals("syscalls") && f.value() instanceof YamlNode.Sequence seq) {
                members = memberNames(seq, diags);
            } else {
                diags.error(
                        f.key().pos(),
                        "group '" + name + "': unexpected '" + key + "' ("
                                + f.value().describe() + "); expected description: STRING and syscalls: [LIST]");
            }
        }
        if (members == null) {
            diags.error(e.key().pos(), "group '" + name + "' has no 'syscalls' list");
            return Optional.empty();
        }
        return Optional.of(new Group(name, description, members, e.key().pos()));
    }

    private static List<String> memberNames(YamlNode.Sequence seq, Diagnostics diags) {
        List<String> members = new ArrayList<>();
        for (YamlNode item : seq.items()) {
            if (item instanceof YamlNode.Scalar s && !s.isNull()) {
                members.add(s.text());
            } else {
                diags.error(item.pos(), "expected a syscall or \"@group\" name, got " + item.describe());
            }
        }
        return members;
    }

    private static void checkReferences(Map<String, Group> all, Diagnostics diags) {
        Set<String> inReportedCycle = new HashSet<>();
        List<String> refs = all.keySet().stream().map(n -> "@" + n).toList();
        for (Group g : all.values()) {
            for (String m : g.members()) {
                if (m.startsWith("@") && !all.containsKey(m.substring(1))) {
                    diags.error(
                            g.pos(),
                            "group '" + g.name() + "' refers to unknown group '" + m + "'" + Suggestions.hint(m, refs));
                }
            }
            List<String> cycle = findCycle(g.name(), all, new ArrayList<>());
            if (!cycle.isEmpty() && cycle.get(0).equals(g.name()) && !inReportedCycle.contains(g.name())) {
                inReportedCycle.addAll(cycle);
                diags.error(g.pos(), "group cycle: @" + String.join(" -> @", cycle));
            }
        }
    }

    /** A path of references from {@code name} back to a group already on {@code path}, or empty. */
    private static List<String> findCycle(String name, Map<String, Group> all, List<String> path) {
        if (path.contains(name)) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(name), path.size()));
            cycle.add(name);
            return cycle;
        }
        Group g = all.get(name);
        if (g == null) {
            return List.of();
        }
        path.add(name);
        for (String m : g.members()) {
            if (m.startsWith("@")) {
                List<String> c = findCycle(m.substring(1), all, path);
                if (!c.isEmpty()) {
                    return c;
                }
            }
        }
        path.remove(path.size() - 1);
        return List.of();
    }

    public Optional<Group> group(String name) {
        return Optional.ofNullable(groups.get(name));
    }

    /** Group names, without '@', in file order. */
    public Set<String> names() {
        return groups.keySet();
    }

    public List<Group> all() {
        return List.copyOf(groups.values());
    }

    /** The syscall names of a group with its {@code @references} expanded, in first-mention order. */
    public List<String> syscalls(String name) {
        Set<String> out = new LinkedHashSet<>();
        expand(name, out, new HashSet<>());
        return List.copyOf(out);
    }

    private void expand(String name, Set<String> out, Set<String> seen) {
        Group g = groups.get(name);
        if (g == null || !seen.add(name)) {
            return;
        }
        for (String m : g.members()) {
            if (m.startsWith("@")) {
                expand(m.substring(1), out, seen);
            } else {
                out.add(m);
            }
        }
    }
}
