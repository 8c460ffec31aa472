package dev.syscage.policy.diag;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/** Collects every problem a stage finds, so the user sees all of them at once. */
public final class Diagnostics {
    /**
     * Diagnostics kept: past this many, the rest are only counted, so a file with a hundred
     * thousand unknown names is answered in a moment with a readable list, not 40 MB of it.
     */
    public static final int MAX_KEPT = 200;

    private final List<Diagnostic> items = new ArrayList<>();
    private int hiddenErrors;
    private int hiddenWarnings;

    public void error(SourcePos pos, String message) {
        add(Diagnostic.error(pos, message));
    }

    /** An error whose message is only made when it is kept (a "did you mean" costs a search). */
    public void error(SourcePos pos, Supplier<String> message) {
        if (full()) {
            hiddenErrors++;
        } else {
            add(Diagnostic.error(pos, message.get()));
        }
    }

    public void warning(SourcePos pos, String message) {
        add(Diagnostic.warning(pos, message));
    }

    public void add(Diagnostic d) {
        if (!full()) {
            items.add(d);
        } else if (d.isError()) {
            hiddenErrors++;
        } else {
            hiddenWarnings++;
        }
    }

    public void addAll(Diagnostics other) {
        other.items.forEach(this::add);
        hiddenErrors += other.hiddenErrors;
        hiddenWarnings += other.hiddenWarnings;
    }

    private boolean full() {
        return items.size() >= MAX_KEPT;
    }

    public boolean hasErrors() {
        return hiddenErrors > 0 || items.stream().anyMatch(Diagnostic::isError);
    }

    /** Errors found, kept or not. */
    public int errorCount() {
        return hiddenErrors + (int) items.stream().filter(Diagnostic::isError).count();
    }

    public List<Diagnostic> all() {
        return Collections.unmodifiableList(items);
    }

    public List<Diagnostic> warnings() {
        return items.stream().filter(d -> !d.isError()).toList();
    }

    /** Throws a {@link PolicyException} with every diagnostic, in source order, if any is an error. */
    public void throwIfErrors() {
        if (hasErrors()) {
            throw new PolicyException(sorted(), errorCount());
        }
    }

    /** The kept diagnostics in source order, then a note saying how many more there were, if any. */
    public List<Diagnostic> sorted() {
        List<Diagnostic> copy = new ArrayList<>(items);
        copy.sort(Comparator.comparing(
                        (Diagnostic d) -> d.pos() == null ? "" : d.pos().file())
                .thenComparingInt(d -> d.pos() == null ? 0 : d.pos().line())
                .thenComparingInt(d -> d.pos() == null ? 0 : d.pos().column()));
        if (hiddenErrors + hiddenWarnings > 0) {
            copy.add(new Diagnostic(
                    Diagnostic.Severity.NOTE,
                    null,
                    "and " + hiddenErrors + " more errors and " + hiddenWarnings
                            + " more warnings, not shown (the first " + MAX_KEPT + " found are above)"));
        }
        return copy;
    }
}
