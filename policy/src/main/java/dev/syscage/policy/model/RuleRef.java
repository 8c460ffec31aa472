package dev.syscage.policy.model;

import dev.syscage.policy.diag.SourcePos;

/**
 * Where a decision comes from: a rule (its 0-based index in the flattened rule list and its
 * source position), or one of the policy's fallbacks.
 */
public record RuleRef(Kind kind, int index, SourcePos pos) {

    public enum Kind { RULE, DEFAULT, UNKNOWN, BAD_ARCH }

    public static RuleRef rule(int index, SourcePos pos) {
        return new RuleRef(Kind.RULE, index, pos);
    }

    public static RuleRef fallback(Kind kind, SourcePos pos) {
        return new RuleRef(kind, -1, pos);
    }

    /** {@code rule #3 (web.yaml:14)}, {@code default (web.yaml:5)}. */
    public String describe() {
        String where = pos == null ? "" : " (" + pos.fileLine() + ")";
        return switch (kind) {
            case RULE -> "rule #" + (index + 1) + where;
            case DEFAULT -> "default" + where;
            case UNKNOWN -> "unknown" + where;
            case BAD_ARCH -> "bad_arch" + where;
        };
    }
}
