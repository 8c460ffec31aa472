package dev.syscage.policy.parse;

import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.diag.SourceText;
import dev.syscage.policy.parse.YamlNode.Scalar;
import java.util.List;
import java.util.Optional;

/**
 * One policy file as written, checked for shape only (known keys, right YAML types, version 1)
 * but with nothing resolved: actions, names and conditions are still the scalars from the file,
 * so the validator can point at them. {@code keys} are the top-level keys the file has (a key
 * whose value was unusable is there, already diagnosed, with its value empty). {@code arches}
 * is empty when the file names none; {@code supervise} when it has no usable section. The Landlock
 * sections ({@code landlock}, {@code filesystem}, {@code network}, {@code scope}) are empty when the
 * file has none or the section is unusable (already diagnosed); so is {@code isolate}.
 */
public record PolicyDocument(
        SourceText source,
        SourcePos pos,
        List<String> keys,
        Optional<Scalar> name,
        Optional<Scalar> description,
        List<Scalar> includes,
        List<Scalar> arches,
        Optional<Scalar> defaultAction,
        Optional<Scalar> unknownAction,
        Optional<Scalar> badArchAction,
        List<FrequencyEntry> frequency,
        List<GroupDef> groups,
        List<RuleSyntax> rules,
        Optional<SuperviseSyntax> supervise,
        Optional<Scalar> landlock,
        Optional<FilesystemSyntax> filesystem,
        Optional<NetworkSyntax> network,
        List<Scalar> scope,
        Optional<IsolateSyntax> isolate) {

    public PolicyDocument {
        keys = List.copyOf(keys);
        includes = List.copyOf(includes);
        arches = List.copyOf(arches);
        frequency = List.copyOf(frequency);
        groups = List.copyOf(groups);
        rules = List.copyOf(rules);
        scope = List.copyOf(scope);
    }

    /** {@code name: [members]} under {@code groups:}; the name is written without '@'. */
    public record GroupDef(Scalar name, List<Scalar> members) {
        public GroupDef {
            members = List.copyOf(members);
        }
    }

    /** {@code syscall: count} under {@code frequency:}. */
    public record FrequencyEntry(Scalar syscall, long count) {}

    /**
     * One item of {@code rules:}. {@code action} is empty only when the file left it out (already
     * diagnosed); {@code syscalls} holds names and {@code "@group"} references as written.
     */
    public record RuleSyntax(
            SourcePos pos,
            Optional<Scalar> action,
            List<Scalar> syscalls,
            Optional<Scalar> when,
            Optional<Scalar> comment) {
        public RuleSyntax {
            syscalls = List.copyOf(syscalls);
        }
    }

    /** The {@code supervise:} section: {@code log}, {@code default} and rules, as written. */
    public record SuperviseSyntax(
            SourcePos pos,
            Optional<Scalar> log,
            Optional<Scalar> defaultDecision,
            List<SuperviseRuleSyntax> rules,
            List<Scalar> hooks) {
        public SuperviseSyntax {
            rules = List.copyOf(rules);
            hooks = List.copyOf(hooks);
        }
    }

    /**
     * One item of {@code supervise: rules:}. {@code decision} is empty only when the file left it
     * out or it was not a scalar (already diagnosed); {@code paths} is empty when the rule has no
     * {@code path:}.
     */
    public record SuperviseRuleSyntax(
            SourcePos pos,
            List<Scalar> syscalls,
            List<Scalar> paths,
            Optional<Scalar> when,
            Optional<Scalar> decision) {
        public SuperviseRuleSyntax {
            syscalls = List.copyOf(syscalls);
            paths = List.copyOf(paths);
        }
    }

    /**
     * The {@code filesystem:} section (Landlock): {@code confine} as written ({@code all} or rights;
     * empty when the section does not say, which means {@code all}) and the {@code allow} rules.
     * {@code pos} is the key's position.
     */
    public record FilesystemSyntax(SourcePos pos, List<Scalar> confine, List<FsRuleSyntax> allow) {
        public FilesystemSyntax {
            confine = List.copyOf(confine);
            allow = List.copyOf(allow);
        }
    }

    /**
     * One item of {@code filesystem: allow:}: the rights in {@code access} beneath each of
     * {@code paths}; {@code optional}: a path that does not exist is skipped. A list left out is
     * empty (already diagnosed).
     */
    public record FsRuleSyntax(SourcePos pos, List<Scalar> paths, List<Scalar> access, boolean optional) {
        public FsRuleSyntax {
            paths = List.copyOf(paths);
            access = List.copyOf(access);
        }
    }

    /**
     * The {@code network:} section (Landlock TCP ports): {@code bind} and {@code connect} as
     * written, each empty when the section leaves the key out. {@code pos} is the key's position.
     */
    public record NetworkSyntax(SourcePos pos, Optional<PortsSyntax> bind, Optional<PortsSyntax> connect) {}

    /** {@code bind:} or {@code connect:}: port numbers or the word {@code any}, as written. */
    public record PortsSyntax(Scalar key, List<Scalar> items) {
        public PortsSyntax {
            items = List.copyOf(items);
        }
    }

    /**
     * The {@code isolate:} section as written: namespace names, read-only and writable paths
     * (each empty when left out), and the {@code compat} word. {@code pos} is the key's position.
     */
    public record IsolateSyntax(
            SourcePos pos,
            List<Scalar> namespaces,
            List<Scalar> readOnly,
            List<Scalar> writable,
            Optional<Scalar> compat) {
        public IsolateSyntax {
            namespaces = List.copyOf(namespaces);
            readOnly = List.copyOf(readOnly);
            writable = List.copyOf(writable);
        }
    }
}
