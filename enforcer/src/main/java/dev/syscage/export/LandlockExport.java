package dev.syscage.export;

import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.RulesetText;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.oci.ExportOptions;
import java.util.List;

/**
 * Before a policy leaves for a container runtime: an OCI or SPO profile is a seccomp filter
 * and nothing else, so the policy's Landlock sections ({@code filesystem}, {@code network},
 * {@code scope}) cannot go with it. Like the rules OCI cannot express, that is an error naming
 * what would be lost, unless {@code --degrade errno|allow} says to export the seccomp part
 * alone; then it is a warning naming the same. (Either mode drops the sections: there is no
 * Landlock stand-in in a seccomp profile.)
 */
public final class LandlockExport {
    private LandlockExport() {
    }

    /** What to report: an error (nothing is exported) or a warning (exported without the sections); both empty for none. */
    public record Result(List<Diagnostic> errors, List<String> warnings) {
        public Result {
            errors = List.copyOf(errors);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * The report for {@code policy}, read from {@code file}: messages are placed at the first path
     * or port rule, else at the first section ({@code confine} or {@code scope} alone, in the
     * policy or a file it includes), and name {@code file} only for a ruleset without positions.
     */
    public static Result check(Policy policy, ExportOptions.Degrade degrade, String file) {
        LandlockRuleset r = policy.landlock();
        if (r.isEmpty()) {
            return new Result(List.of(), List.of());
        }
        SourcePos at = where(r);
        String lost = "the Landlock sections (" + String.join(", ", RulesetText.sections(r)) + ")";
        if (degrade == ExportOptions.Degrade.NONE) {
            return new Result(List.of(Diagnostic.error(at, (at == null ? file + ": " : "") + lost + " cannot be exported: container runtimes apply a "
                    + "seccomp profile, not Landlock; --degrade errno or --degrade allow exports the seccomp part "
                    + "without them")), List.of());
        }
        return new Result(List.of(), List.of((at == null ? "" : at.fileLine() + ": ") + lost + " are not exported "
                + "(container runtimes apply a seccomp profile, not Landlock): the exported profile does not confine "
                + "paths, TCP ports or scopes"));
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
}
