package dev.syscage.export;

import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.isolate.Isolation;
import dev.syscage.policy.isolate.Namespace;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.oci.ExportOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Before a policy leaves for a container runtime: an OCI or SPO profile is a seccomp filter and
 * nothing else, so the policy's {@code isolate:} section (namespaces, read-only mounts) cannot go
 * with it; in a container they are the runtime's own configuration. As with the Landlock
 * sections ({@link LandlockExport}): an error naming what would be lost, unless
 * {@code --degrade errno|allow} says to export the seccomp part alone, then a warning naming the
 * same.
 */
public final class IsolationExport {
    private IsolationExport() {
    }

    /** What to report: an error (nothing is exported) or a warning (exported without the section); both empty for none. */
    public record Result(List<Diagnostic> errors, List<String> warnings) {
        public Result {
            errors = List.copyOf(errors);
            warnings = List.copyOf(warnings);
        }
    }

    /** The report for {@code policy}, read from {@code file}: placed at the {@code isolate:} key, else naming {@code file}. */
    public static Result check(Policy policy, ExportOptions.Degrade degrade, String file) {
        Isolation i = policy.isolation();
        if (i.isEmpty()) {
            return new Result(List.of(), List.of());
        }
        SourcePos at = i.pos();
        String lost = "the isolate section (" + String.join(", ", parts(i)) + ")";
        String where = "set them in the runtime's own configuration (OCI linux.namespaces, and mounts with 'ro')";
        if (degrade == ExportOptions.Degrade.NONE) {
            return new Result(List.of(Diagnostic.error(at, (at == null ? file + ": " : "") + lost + " cannot be exported:"
                    + " a seccomp profile has no namespaces or mounts; " + where + ", and --degrade errno or --degrade"
                    + " allow exports the seccomp part without it")), List.of());
        }
        return new Result(List.of(), List.of((at == null ? "" : at.fileLine() + ": ") + lost + " is not exported (a"
                + " seccomp profile has no namespaces or mounts): " + where));
    }

    private static List<String> parts(Isolation i) {
        List<String> out = new ArrayList<>();
        if (!i.namespaces().isEmpty()) {
            out.add("namespaces " + String.join(", ", i.namespaces().stream().map(Namespace::word).toList()));
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
