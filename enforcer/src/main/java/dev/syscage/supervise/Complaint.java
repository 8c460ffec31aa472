package dev.syscage.supervise;

import java.util.Objects;

/**
 * In complain mode, what a call would have got had the policy been enforced, when that was a
 * denial: {@code action} is {@code errno} (with {@code errno}), {@code kill} or {@code trap};
 * {@code rule} names what decided ({@code p.yaml:12}, {@code default p.yaml:3}, a hook's
 * rule); {@code bySupervisor} says whether the supervise rules (or a hook) decided it, not the
 * filter. The call itself was allowed (see {@link Decision#complained}).
 */
public record Complaint(String action, int errno, String rule, boolean bySupervisor) {

    public Complaint {
        Objects.requireNonNull(action, "action");
        if (!action.equals("errno") && !action.equals("kill") && !action.equals("trap")) {
            throw new IllegalArgumentException("not a denial: " + action);
        }
        if (errno < 0 || errno > 4095 || (!action.equals("errno") && errno != 0)) {
            throw new IllegalArgumentException(action + " with errno " + errno);
        }
    }

    /** What the supervisor would have answered with {@code d} (an errno or kill decision). */
    public static Complaint of(Decision d) {
        return switch (d.kind()) {
            case ERRNO -> new Complaint("errno", d.errno(), d.rule(), true);
            case KILL -> new Complaint("kill", 0, d.rule(), true);
            default -> throw new IllegalArgumentException("not a denial: " + d);
        };
    }
}
