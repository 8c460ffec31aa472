package dev.syscage.policy.diag;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown when a policy cannot be compiled. It carries every diagnostic found; {@link #render()}
 * is what the CLI prints (no stack trace).
 */
public class PolicyException extends RuntimeException {
    private final List<Diagnostic> diagnostics;
    private final int errorCount;

    public PolicyException(List<Diagnostic> diagnostics) {
        this(diagnostics, (int) diagnostics.stream().filter(Diagnostic::isError).count());
    }

    /** {@code errorCount}: errors found, including any not kept in {@code diagnostics} ({@link Diagnostics#MAX_KEPT}). */
    public PolicyException(List<Diagnostic> diagnostics, int errorCount) {
        super(diagnostics.isEmpty() ? "policy error" : diagnostics.get(0).header());
        this.diagnostics = List.copyOf(diagnostics);
        this.errorCount = errorCount;
    }

    /** How many errors there were, shown or not. */
    public int errorCount() {
        return errorCount;
    }

    public static PolicyException of(SourcePos pos, String message) {
        return new PolicyException(List.of(Diagnostic.error(pos, message)));
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    /** Every diagnostic rendered with source line and caret, one after another. */
    public String render() {
        return diagnostics.stream().map(Diagnostic::render).collect(Collectors.joining("\n"));
    }
}
