package dev.syscage.policy.load;

import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.diag.SourceText;
import dev.syscage.policy.input.BoundedRead;
import dev.syscage.policy.input.InputLimits;
import dev.syscage.policy.input.InputText;
import dev.syscage.policy.parse.DocumentReader;
import dev.syscage.policy.parse.PolicyDocument;
import dev.syscage.policy.parse.YamlNode;
import dev.syscage.policy.parse.YamlReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the top policy file and, depth first, every file it includes. The result is in rule
 * order: a file, then what it includes in the order listed, each file once (a file reached a
 * second time through another include adds nothing). Cycles and unreadable includes are
 * reported at the include item.
 *
 * <p>An include that is a bare name ({@code base}: no '/', no ".yaml") is a profile, looked up
 * as NAME.yaml in each profile directory and then among the shipped profiles; anything else is
 * a path relative to the including file.
 */
public final class IncludeLoader {
    private final List<Path> profileDirs;
    private final Diagnostics diags;
    private final List<LoadedFile> files = new ArrayList<>();
    private final Set<String> visited = new HashSet<>();
    private final List<Origin> stack = new ArrayList<>();
    private boolean syntaxErrors;
    /** Bytes of policy text still allowed: {@link InputLimits#MAX_POLICY_BYTES} less what was read. */
    private int budget = InputLimits.MAX_POLICY_BYTES;

    private IncludeLoader(List<Path> profileDirs, Diagnostics diags) {
        this.profileDirs = profileDirs;
        this.diags = diags;
    }

    /** What was read; {@code yamlBroken} says some file was not valid YAML. */
    public record Result(List<LoadedFile> files, boolean yamlBroken) {}

    public static Result load(Origin top, List<Path> profileDirs, Diagnostics diags) {
        IncludeLoader l = new IncludeLoader(profileDirs, diags);
        l.visit(top, null);
        return new Result(List.copyOf(l.files), l.syntaxErrors);
    }

    private void visit(Origin origin, SourcePos includedAt) {
        int onStack = indexOnStack(origin.key());
        if (onStack >= 0) {
            List<String> names = new ArrayList<>();
            stack.subList(onStack, stack.size()).forEach(o -> names.add(o.display()));
            names.add(origin.display());
            diags.error(includedAt, "include cycle: " + String.join(" -> ", names));
            return;
        }
        if (!visited.add(origin.key())) {
            return;
        }
        if (!withinLimits(origin, includedAt)) {
            return;
        }
        Optional<PolicyDocument> doc = readDocument(origin, includedAt);
        if (doc.isEmpty()) {
            return;
        }
        List<String> includeKeys = new ArrayList<>();
        int slot = files.size();
        files.add(null); // keeps this file ahead of what it includes
        stack.add(origin);
        for (YamlNode.Scalar inc : doc.get().includes()) {
            resolve(origin, inc).ifPresent(child -> {
                includeKeys.add(child.key());
                visit(child, inc.pos());
            });
        }
        stack.remove(stack.size() - 1);
        files.set(slot, new LoadedFile(origin, doc.get(), includeKeys));
    }

    private int indexOnStack(String key) {
        for (int i = 0; i < stack.size(); i++) {
            if (stack.get(i).key().equals(key)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The include limits: how many files, how deep, and that an included path is a regular
     * file (a device or FIFO named in a policy is no policy). Reported at the include.
     */
    private boolean withinLimits(Origin origin, SourcePos includedAt) {
        if (includedAt == null) {
            return true;
        }
        if (files.size() >= InputLimits.MAX_POLICY_FILES) {
            fail(
                    includedAt,
                    "this include makes more than " + InputLimits.MAX_POLICY_FILES
                            + " files, the limit for the files of one policy");
            return false;
        }
        if (stack.size() >= InputLimits.MAX_INCLUDE_DEPTH) {
            fail(
                    includedAt,
                    "includes nest deeper than " + InputLimits.MAX_INCLUDE_DEPTH + " here ("
                            + stack.get(0).display() + " -> ... -> " + origin.display() + "), the include depth limit");
            return false;
        }
        if (origin instanceof Origin.File f && Files.exists(f.path()) && !Files.isRegularFile(f.path())) {
            fail(
                    includedAt,
                    "included file " + origin.display() + " is not a regular file"
                            + (Files.isDirectory(f.path()) ? " (a directory)" : " (a device, FIFO or socket)"));
            return false;
        }
        return true;
    }

    /** An error that stops loading once every file is read: what follows would only mislead. */
    private void fail(SourcePos at, String message) {
        diags.error(at, message);
        syntaxErrors = true;
    }

    private Optional<PolicyDocument> readDocument(Origin origin, SourcePos includedAt) {
        Optional<String> read = readText(origin, includedAt);
        if (read.isEmpty()) {
            return Optional.empty();
        }
        String text = read.get();
        SourceText source = new SourceText(origin.display(), text);
        Optional<SourcePos> longLine = InputText.firstLongLine(source, text);
        if (longLine.isPresent()) {
            fail(
                    longLine.get(),
                    "line " + longLine.get().line() + " is longer than " + InputLimits.MAX_LINE_LENGTH
                            + " characters, the line length limit");
            return Optional.empty();
        }
        Diagnostics yamlDiags = new Diagnostics();
        Optional<YamlNode> root = YamlReader.read(source, text, yamlDiags);
        diags.addAll(yamlDiags);
        if (root.isEmpty()) {
            syntaxErrors |= yamlDiags.hasErrors();
            return Optional.empty();
        }
        return DocumentReader.read(root.get(), diags);
    }

    /** The file's text within what is left of the size budget; empty when it cannot be had (reported). */
    private Optional<String> readText(Origin origin, SourcePos includedAt) {
        BoundedRead.Input in;
        try {
            in = origin.read(budget);
        } catch (IOException e) {
            String what = includedAt == null ? "cannot read policy file " : "cannot read included file ";
            diags.error(includedAt, what + origin.display() + " (" + Origin.reason(e) + ")");
            return Optional.empty();
        }
        if (!in.complete()) {
            String limit = "larger than " + InputLimits.bytes(InputLimits.MAX_POLICY_BYTES)
                    + ", the size limit for a policy" + " with everything it includes";
            if (includedAt != null) {
                fail(includedAt, "included file " + origin.display() + " makes the policy " + limit);
            } else {
                // where the limit was crossed, in the text read so far
                String seen = InputText.lenient(in.bytes());
                fail(
                        InputText.end(new SourceText(origin.display(), seen), seen),
                        "the policy is " + limit + "; reading stopped here");
            }
            return Optional.empty();
        }
        budget -= in.bytes().length;
        InputText.Decoded text = InputText.decode(in.bytes());
        if (text instanceof InputText.NotUtf8 bad) {
            String lenient = InputText.lenient(in.bytes());
            fail(bad.pos(new SourceText(origin.display(), lenient)), bad.message());
            return Optional.empty();
        }
        return Optional.of(((InputText.Text) text).text());
    }

    private Optional<Origin> resolve(Origin from, YamlNode.Scalar inc) {
        String name = inc.text().strip();
        if (name.isEmpty()) {
            diags.error(inc.pos(), "empty include name");
            return Optional.empty();
        }
        if (!isProfileName(name)) {
            return Optional.of(from.sibling(name));
        }
        List<String> tried = new ArrayList<>();
        for (Path dir : profileDirs) {
            Path p = dir.resolve(name + ".yaml");
            if (Files.isRegularFile(p)) {
                return Optional.of(new Origin.File(p, p.toString()));
            }
            tried.add(p.toString());
        }
        Origin.Resource shipped = new Origin.Resource(Origin.Resource.DIR + name + ".yaml");
        if (shipped.exists()) {
            return Optional.of(shipped);
        }
        tried.add("the shipped profiles");
        diags.error(
                inc.pos(),
                "profile '" + name + "' not found; looked in " + String.join(", ", tried)
                        + " (to include a file next to this one, write '" + name + ".yaml')");
        return Optional.empty();
    }

    /** {@code base} names a profile; {@code base.yaml} and {@code dir/base} are paths. */
    static boolean isProfileName(String include) {
        return !include.contains("/") && !include.endsWith(".yaml");
    }
}
