package dev.syscage.policy.validate;

import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.diag.SourceText;
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
final class IncludeLoader {
    private final List<Path> profileDirs;
    private final Diagnostics diags;
    private final List<LoadedFile> files = new ArrayList<>();
    private final Set<String> visited = new HashSet<>();
    private final List<Origin> stack = new ArrayList<>();
    private boolean syntaxErrors;

    private IncludeLoader(List<Path> profileDirs, Diagnostics diags) {
        this.profileDirs = profileDirs;
        this.diags = diags;
    }

    /** What was read; {@code yamlBroken} says some file was not valid YAML. */
    record Result(List<LoadedFile> files, boolean yamlBroken) {
    }

    static Result load(Origin top, List<Path> profileDirs, Diagnostics diags) {
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

    private Optional<PolicyDocument> readDocument(Origin origin, SourcePos includedAt) {
        String text;
        try {
            text = origin.read();
        } catch (IOException e) {
            String what = includedAt == null ? "cannot read policy file " : "cannot read included file ";
            diags.error(includedAt, what + origin.display() + " (" + Origin.reason(e) + ")");
            return Optional.empty();
        }
        SourceText source = new SourceText(origin.display(), text);
        Diagnostics yamlDiags = new Diagnostics();
        Optional<YamlNode> root = YamlReader.read(source, text, yamlDiags);
        diags.addAll(yamlDiags);
        if (root.isEmpty()) {
            syntaxErrors |= yamlDiags.hasErrors();
            return Optional.empty();
        }
        return DocumentReader.read(root.get(), diags);
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
        diags.error(inc.pos(), "profile '" + name + "' not found; looked in " + String.join(", ", tried)
                + " (to include a file next to this one, write '" + name + ".yaml')");
        return Optional.empty();
    }

    /** {@code base} names a profile; {@code base.yaml} and {@code dir/base} are paths. */
    static boolean isProfileName(String include) {
        return !include.contains("/") && !include.endsWith(".yaml");
    }
}
