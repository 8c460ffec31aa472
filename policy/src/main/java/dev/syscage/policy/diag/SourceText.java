package dev.syscage.policy.diag;

import java.util.List;

/** The text of one policy file, kept so diagnostics can quote the offending line. */
public final class SourceText {
    private final String name;
    private final List<String> lines;

    public SourceText(String name, String text) {
        this.name = name;
        this.lines = text.lines().toList();
    }

    /** A source with no text, for positions in files that could not be read. */
    public static SourceText unavailable(String name) {
        return new SourceText(name, "");
    }

    public String name() {
        return name;
    }

    /** Line {@code n} (1-based), or empty when out of range. */
    public String line(int n) {
        return n >= 1 && n <= lines.size() ? lines.get(n - 1) : "";
    }

    public SourcePos pos(int line, int column) {
        return new SourcePos(this, line, column);
    }

    @Override
    public String toString() {
        return name;
    }
}
