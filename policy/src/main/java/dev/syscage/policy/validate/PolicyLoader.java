package dev.syscage.policy.validate;

import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.group.Groups;
import dev.syscage.policy.input.BoundedRead;
import dev.syscage.policy.load.IncludeLoader;
import dev.syscage.policy.load.LoadedFile;
import dev.syscage.policy.load.Origin;
import dev.syscage.policy.model.Policy;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The front half of the policy compiler: a YAML policy file (and what it includes) in, a
 * validated {@link Policy} out. Every problem in the input is collected and thrown once as a
 * {@link PolicyException} whose {@code render()} shows each with file, line, column and caret.
 *
 * <p>Stages: {@link IncludeLoader} (read files, YAML to node tree, shape check), then
 * {@link PolicyValidator} (actions, groups, syscall names, conditions per architecture, the
 * supervise section, the Landlock sections through {@link LandlockCompiler}, and the
 * {@code isolate:} section through {@link IsolateCompiler}). Warnings
 * include supervise rules that can never run ({@link dev.syscage.policy.lint.SupervisorReach}).
 */
public final class PolicyLoader {
    private PolicyLoader() {}

    /** Loads a policy file; diagnostics name it as {@code file} is written. */
    public static Policy load(Path file, LoadOptions options) {
        return loadWithWarnings(file, options).policy();
    }

    /** Loads policy text; {@code displayName} names it in diagnostics and anchors relative includes. */
    public static Policy loadString(String displayName, String yaml, LoadOptions options) {
        return load(new Origin.Text(displayName, yaml), options, Groups.shipped())
                .policy();
    }

    public static LoadResult loadWithWarnings(Path file, LoadOptions options) {
        return load(file, file.toString(), options);
    }

    /**
     * A policy its caller has read ({@link dev.syscage.policy.input.BoundedRead}): {@code file}
     * is where from, anchoring relative includes, or null for standard input (includes relative
     * to the current directory); {@code displayName} names it in diagnostics.
     */
    public static LoadResult loadRead(String displayName, Path file, BoundedRead.Input input, LoadOptions options) {
        return load(new Origin.Read(displayName, file, input), options, Groups.shipped());
    }

    /** As {@link #loadWithWarnings(Path, LoadOptions)}, naming the file {@code displayName} in diagnostics. */
    static LoadResult load(Path file, String displayName, LoadOptions options) {
        return load(new Origin.File(file, displayName), options, Groups.shipped());
    }

    static LoadResult load(Origin top, LoadOptions options, Groups shipped) {
        Diagnostics diags = new Diagnostics();
        IncludeLoader.Result files = IncludeLoader.load(top, options.profileDirs(), diags);
        if (files.yamlBroken() || files.files().isEmpty()) {
            diags.throwIfErrors();
        }
        Optional<Policy> policy = PolicyValidator.validate(files.files(), options.archOverride(), shipped, diags);
        diags.throwIfErrors();
        List<Diagnostic> warnings =
                diags.sorted().stream().filter(d -> !d.isError()).toList();
        List<Path> read = files.files().stream()
                .map(LoadedFile::origin)
                .map(PolicyLoader::diskFile)
                .flatMap(Optional::stream)
                .map(p -> p.toAbsolutePath().normalize())
                .distinct()
                .toList();
        return new LoadResult(policy.orElseThrow(), warnings, read);
    }

    /** The file on disk an origin was read from: none for a shipped profile or standard input. */
    private static Optional<Path> diskFile(Origin o) {
        if (o instanceof Origin.File f) {
            return Optional.of(f.path());
        }
        return o instanceof Origin.Read r ? Optional.ofNullable(r.file()) : Optional.empty();
    }
}
