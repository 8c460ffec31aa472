package dev.syscage.supervise.audit;

import dev.syscage.supervise.Decision;
import java.util.Locale;
import java.util.Optional;

/**
 * Which events the audit log keeps ({@code supervise.log} in a policy, {@code --log-level}).
 * Filtering happens before anything is decoded or queued, so what is left out costs nothing.
 */
public enum AuditLevel {
    /** Every event. */
    ALL,
    /** Events a rule or a hook decided; not those left to the default. */
    DECISIONS,
    /** Events denied with an errno or a kill. */
    DENIED,
    /** Nothing. */
    NONE;

    /** The word used in policies and on the command line. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<AuditLevel> parse(String word) {
        for (AuditLevel l : values()) {
            if (l.word().equals(word)) {
                return Optional.of(l);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether an event with this outcome is logged. A decision counts as the default when no
     * hook made it and its rule is "default" (or absent), as {@link Decision} says.
     */
    public boolean keeps(Decision decision, String hook) {
        return switch (this) {
            case ALL -> true;
            case DECISIONS -> hook != null || !isDefault(decision);
            case DENIED -> decision.kind() != Decision.Kind.ALLOW;
            case NONE -> false;
        };
    }

    static boolean isDefault(Decision d) {
        return d.rule() == null || d.rule().equals("default");
    }
}
