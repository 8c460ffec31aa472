package dev.syscage.policy.path;

/**
 * A mistake in a path pattern, at a character offset of the pattern text, so the validator can
 * put a caret under it.
 */
public final class PathPatternSyntaxError extends IllegalArgumentException {
    private final int offset;

    public PathPatternSyntaxError(int offset, String message) {
        super(message);
        this.offset = offset;
    }

    public int offset() {
        return offset;
    }
}
