package dev.syscage.supervise.audit;

import java.io.Writer;
import java.util.Locale;
import java.util.Optional;

/** The two shapes of the audit log ({@code --log-format}): one JSON object a line, or strace-like text. */
public enum AuditFormat {
    JSONL,
    TEXT;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<AuditFormat> parse(String word) {
        for (AuditFormat f : values()) {
            if (f.word().equals(word)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    RecordWriter open(Writer out, String run) {
        return this == JSONL ? new JsonLinesWriter(out, run) : new StraceTextWriter(out);
    }
}
