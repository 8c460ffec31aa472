package dev.syscage.policy.diag;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/** Collects every problem a stage finds, so the user sees all of them at once. */
public final class Diagnostics {
    private final List<Diagnostic> items = new ArrayList<>();

    public void error(SourcePos pos, String message) {
        items.add(Diagnostic.error(pos, message));
    }

    public void warning(SourcePos pos, String message) {
        items.add(Diagnostic.warning(pos, message));
    }

    public void add(Diagnostic d) {
        items.add(d);
    }

    public void addAll(Diagnostics other) {
        items.addAll(other.items);
    }

    public boolean hasErrors() {
        return items.stream().anyMatch(Diagnostic::isError);
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
            throw new PolicyException(sorted());
        }
    }

    public List<Diagnostic> sorted() {
        List<Diagnostic> copy = new ArrayList<>(items);
        copy.sort(Comparator.comparing((Diagnostic d) -> d.pos() == null ? "" : d.pos().file())
                .thenComparingInt(d -> d.pos() == null ? 0 : d.pos().line())
                .thenComparingInt(d -> d.pos() == null ? 0 : d.pos().column()));
        return copy;
    }
}
