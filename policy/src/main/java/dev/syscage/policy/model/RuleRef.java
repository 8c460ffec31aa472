package dev.syscage.policy.model;

import dev.syscage.policy.diag.SourcePos;

/**
 * Where a decision comes from: a rule (its 0-based index in the flattened rule list and its
 * source position), or one of the policy's fallbacks. {@code via} is set when the rule does not
 * name the syscall itself but reaches it through a syscall family (the rule sends openat to the
 * supervisor, so openat2 goes there too; see {@code dev.syscage.policy.family.FamilyRouter}).
 */
public record RuleRef(Kind kind, int index, SourcePos pos, Via via) {

    public enum Kind {
        RULE,
        DEFAULT,
        UNKNOWN,
        BAD_ARCH
    }

    /** How a rule reached a syscall it does not name: through {@code member}'s {@code family}. */
    public record Via(String family, String member) {}

    /** A reference to a rule or fallback as written. */
    public RuleRef(Kind kind, int index, SourcePos pos) {
        this(kind, index, pos, null);
    }

    public static RuleRef rule(int index, SourcePos pos) {
        return new RuleRef(Kind.RULE, index, pos);
    }

    public static RuleRef fallback(Kind kind, SourcePos pos) {
        return new RuleRef(kind, -1, pos);
    }

    /** This rule, reaching a syscall through {@code member}'s family. */
    public RuleRef via(String family, String member) {
        return new RuleRef(kind, index, pos, new Via(family, member));
    }

    /**
     * {@code rule #3 (web.yaml:14)}, {@code default (web.yaml:5)},
     * {@code rule #1 (web.yaml:7) via openat (family open)}.
     */
    public String describe() {
        String where = pos == null ? "" : " (" + pos.fileLine() + ")";
        String through = via == null ? "" : " via " + via.member() + " (family " + via.family() + ")";
        return switch (kind) {
            case RULE -> "rule #" + (index + 1) + where + through;
            case DEFAULT -> "default" + where;
            case UNKNOWN -> "unknown" + where;
            case BAD_ARCH -> "bad_arch" + where;
        };
    }
}
