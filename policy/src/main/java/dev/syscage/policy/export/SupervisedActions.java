package dev.syscage.policy.export;

import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.RuleRef;
import dev.syscage.policy.model.Supervision;
import dev.syscage.policy.oci.ExportOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Before a policy leaves for a container runtime: {@code trace} and {@code notify} hand calls
 * to syscage's supervisor, which Docker, Podman and Kubernetes do not run. Such an action is an
 * error naming the rule, or, with {@code --degrade errno|allow}, becomes {@code errno EPERM} or
 * {@code allow} with a warning. A {@code supervise:} section is never exported: with no such
 * action left it decides nothing in the filter, and a warning says it was dropped.
 */
public final class SupervisedActions {
    /** The policy to export and what was changed on the way. */
    public record Result(Policy policy, List<String> warnings) {}

    private final ExportOptions.Degrade degrade;
    private final Map<String, String> warnings = new LinkedHashMap<>();
    private final Map<String, Diagnostic> errors = new LinkedHashMap<>();

    private SupervisedActions(ExportOptions.Degrade degrade) {
        this.degrade = degrade;
    }

    public static Result replace(Policy policy, ExportOptions.Degrade degrade) {
        SupervisedActions s = new SupervisedActions(degrade);
        List<ArchPolicy> arches = new ArrayList<>();
        for (ArchPolicy ap : policy.arches()) {
            SortedMap<Integer, List<Clause>> clauses = new TreeMap<>();
            ap.clauses()
                    .forEach((nr, cs) -> clauses.put(
                            nr,
                            cs.stream()
                                    .map(c -> new Clause(c.when(), s.map(c.action(), c.rule()), c.rule()))
                                    .toList()));
            arches.add(new ArchPolicy(
                    ap.arch(),
                    ap.table(),
                    s.map(ap.defaultAction(), ap.defaultRef()),
                    ap.defaultRef(),
                    s.map(ap.unknownAction(), ap.unknownRef()),
                    ap.unknownRef(),
                    clauses));
        }
        Action badArch = s.map(policy.badArchAction(), policy.badArchRef());
        if (!s.errors.isEmpty()) {
            throw new PolicyException(List.copyOf(s.errors.values()));
        }
        if (!policy.supervision().equals(Supervision.NONE)) {
            s.warnings.put(
                    "supervise",
                    where(
                                    policy.supervision().pos() == null
                                            ? null
                                            : policy.supervision().pos().fileLine())
                            + "the supervise: section is not exported (container runtimes have no syscage supervisor)");
        }
        // the supervise section is dropped (warned above); the Landlock ruleset is carried: what
        // export does with it is UnexportedSections' question
        Policy out = new Policy(
                policy.name(),
                policy.description(),
                arches,
                badArch,
                policy.badArchRef(),
                policy.rules(),
                policy.frequency(),
                Supervision.NONE,
                policy.landlock(),
                policy.isolation());
        return new Result(out, List.copyOf(s.warnings.values()));
    }

    private Action map(Action a, RuleRef ref) {
        if (a.kind() != Action.Kind.TRACE && a.kind() != Action.Kind.NOTIFY) {
            return a;
        }
        String what = a.kind().name().toLowerCase(java.util.Locale.ROOT);
        String key = what + " " + (ref == null ? "" : ref.kind() + "#" + ref.index());
        if (degrade == ExportOptions.Degrade.NONE) {
            errors.computeIfAbsent(
                    key,
                    k -> Diagnostic.error(
                            ref == null ? null : ref.pos(),
                            (ref == null ? "" : ref.describe() + ": ")
                                    + "action " + what
                                    + " sends calls to syscage's supervisor, which container runtimes do not have;"
                                    + " --degrade errno or --degrade allow replaces it"));
            return a;
        }
        Action stand = degrade == ExportOptions.Degrade.ERRNO ? Action.errno(1) : Action.ALLOW;
        warnings.computeIfAbsent(
                key,
                k -> where(ref == null || ref.pos() == null ? null : ref.pos().fileLine())
                        + (ref == null ? "" : ref.describe() + ": ") + "action " + what + " exported as "
                        + (stand.equals(Action.ALLOW) ? "allow" : "errno EPERM"));
        return stand;
    }

    private static String where(String fileLine) {
        return fileLine == null ? "" : fileLine + ": ";
    }
}
