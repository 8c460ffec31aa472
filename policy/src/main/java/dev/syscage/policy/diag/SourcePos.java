package dev.syscage.policy.diag;

/** A place in a policy file: 1-based line and column. */
public record SourcePos(SourceText source, int line, int column) {

    public String file() {
        return source.name();
    }

    /** The same line, {@code n} columns further right. */
    public SourcePos shift(int n) {
        return new SourcePos(source, line, column + n);
    }

    /** {@code file:line} as rules are cited in audit records and {@code check} output. */
    public String fileLine() {
        return source.name() + ":" + line;
    }

    @Override
    public String toString() {
        return source.name() + ":" + line + ":" + column;
    }
}
