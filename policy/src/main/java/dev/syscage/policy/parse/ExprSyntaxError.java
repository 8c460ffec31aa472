package dev.syscage.policy.parse;

/**
 * A syntax error in a {@code when} expression, at a character offset of the expression text.
 * The validator turns the offset into a file position.
 */
public final class ExprSyntaxError extends RuntimeException {
    private final int offset;

    public ExprSyntaxError(int offset, String message) {
        super(message, null, false, false);
        this.offset = offset;
    }

    public int offset() {
        return offset;
    }
}
