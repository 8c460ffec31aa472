package dev.syscage.policy.export;

import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.isolate.Isolation;
import dev.syscage.policy.isolate.Namespace;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.RulesetText;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.oci.ExportOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Before a policy leaves for a container runtime: an OCI or SPO profile is a seccomp filter and
 * nothing else, so the policy's Landlock sections ({@code filesystem}, {@code network},
 * {@code scope}) and its {@code isolate:} section (namespaces, read-only mounts) cannot go with
 * it. Like the rules OCI cannot express, each is an error naming what would be lost, unless
 * {@code --degrade errno|allow} says to export the seccomp part alone; then it is a warning
 * naming the same. (Either mode drops the sections: a seccomp profile has no stand-in for them.)
 */
public final class UnexportedSections {
    private UnexportedSections() {}

    /** What to report: an error (nothing is exported) or a warning (exported without the section); both empty for none. */
    public record Result(List<Diagnostic> errors, List<String> warnings) {
        public Result {
            errors = List.copyOf(errors);
            warnings = List.copyOf(warnings);
        }

        static final Result NONE = new Result(List.of(), List.of());
    }

    /**
     * The Landlock sections of {@code policy}, read from {@code file}: messages are placed at the
     * first path or port rule, else at the first section ({@code confine} or {@code scope} alone,
     * in the policy or a file it includes), and name {@code file} only for a ruleset without
     * positions.
     */
    public static Result landlock(Policy policy, ExportOptions.Degrade degrade, String file) {
        LandlockRuleset r = policy.landlock();
        if (r.isEmpty()) {
            return Result.NONE;
        }
        String lost = "the Landlock sections (" + String.join(", ", RulesetText.sections(r)) + ")";
        return report(
                where(r),
                degrade,
                file,
                lost + " cannot be exported: container runtimes apply a seccomp profile, not Landlock; --degrade errno"
                        + " or --degrade allow exports the seccomp part without them",
                lost + " are not exported (container runtimes apply a seccomp profile, not Landlock): the exported"
                        + " profile does not confine paths, TCP ports or scopes");
    }

    /** The {@code isolate:} section of {@code policy}, read from {@code file}: placed at its key, else naming {@code file}. */
    public static Result isolation(Policy policy, ExportOptions.Degrade degrade, String file) {
        Isolation i = policy.isolation();
        if (i.isEmpty()) {
            return Result.NONE;
        }
        String lost = "the isolate section (" + String.join(", ", parts(i)) + ")";
        String where = "set them in the runtime's own configuration (OCI linux.namespaces, and mounts with 'ro')";
        return report(
                i.pos(),
                degrade,
                file,
                lost + " cannot be exported: a seccomp profile has no namespaces or mounts; " + where
                        + ", and --degrade errno or --degrade allow exports the seccomp part without it",
                lost + " is not exported (a seccomp profile has no namespaces or mounts): " + where);
    }

    /** The error without {@code --degrade}, else the warning; placed at {@code at}, or naming {@code file}. */
    private static Result report(
            SourcePos at, ExportOptions.Degrade degrade, String file, String error, String warning) {
        if (degrade == ExportOptions.Degrade.NONE) {
            return new Result(List.of(Diagnostic.error(at, (at == null ? file + ": " : "") + error)), List.of());
        }
        return new Result(List.of(), List.of((at == null ? "" : at.fileLine() + ": ") + warning));
    }

    /** The first rule's place, inside the section it came from, else the first section's; null if unknown. */
    private static SourcePos where(LandlockRuleset r) {
        if (!r.paths().isEmpty() && r.paths().get(0).pos() != null) {
            return r.paths().get(0).pos();
        }
        if (!r.ports().isEmpty() && r.ports().get(0).pos() != null) {
            return r.ports().get(0).pos();
        }
        return r.pos();
    }

    private static List<String> parts(Isolation i) {
        List<String> out = new ArrayList<>();
        if (!i.namespaces().isEmpty()) {
            out.add("namespaces "
                    + String.join(
                            ", ", i.namespaces().stream().map(Namespace::word).toList()));
        }
        if (!i.readOnly().isEmpty()) {
            out.add("read-only " + String.join(", ", i.readOnly()));
        }
        if (!i.writable().isEmpty()) {
            out.add("writable " + String.join(", ", i.writable()));
        }
        return out;
    }
}
