package dev.syscage.supervise;

import java.util.Objects;

/**
 * In complain mode, what a call would have got had the policy been enforced, when that was a
 * denial: {@code action} is {@code errno} (with {@code errno}), {@code kill} or {@code trap};
 * {@code rule} names what decided ({@code p.yaml:12}, {@code default p.yaml:3}, a hook's
 * rule); {@code by} says what would have denied it: {@code filter} (the seccomp rules),
 * {@code supervisor} (the supervise rules or a hook) or {@code filesystem} (the policy's
 * {@code filesystem:} section, which complain mode checks through the filter and supervise rules
 * instead of Landlock). The call itself was allowed (see {@link Decision#complained}).
 */
public record Complaint(String action, int errno, String rule, String by) {
    public static final String FILTER = "filter";
    public static final String SUPERVISOR = "supervisor";
    public static final String FILESYSTEM = "filesystem";

    public Complaint {
        Objects.requireNonNull(action, "action");
        if (!action.equals("errno") && !action.equals("kill") && !action.equals("trap")) {
            throw new IllegalArgumentException("not a denial: " + action);
        }
        if (errno < 0 || errno > 4095 || (!action.equals("errno") && errno != 0)) {
            throw new IllegalArgumentException(action + " with errno " + errno);
        }
        if (!by.equals(FILTER) && !by.equals(SUPERVISOR) && !by.equals(FILESYSTEM)) {
            throw new IllegalArgumentException("by " + by);
        }
    }

    /** What the supervisor would have answered with {@code d} (an errno or kill decision), decided {@code by}. */
    public static Complaint of(Decision d, String by) {
        return switch (d.kind()) {
            case ERRNO -> new Complaint("errno", d.errno(), d.rule(), by);
            case KILL -> new Complaint("kill", 0, d.rule(), by);
            default -> throw new IllegalArgumentException("not a denial: " + d);
        };
    }
}
