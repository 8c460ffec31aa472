package dev.syscage.supervise;

/**
 * What the supervisor does with a syscall: let it run, make it fail with an errno without
 * running, or kill the process. {@code rule} says who decided (a supervise rule's file:line, a
 * hook's name, or "default").
 *
 * <p>{@link Kind#INTERRUPTED} is no answer anyone gives: it is how the audit log, the metrics
 * and the summary count a call that went away before its answer reached it (a signal ended its
 * wait, or its thread died), with the decision it would have had in {@code rule}. A hook that
 * returns it is taken to have decided nothing.
 *
 * <p>{@code would} is null but in complain mode ({@code run --complain}), where a call the
 * policy would have denied is allowed: the decision is then {@link Kind#ALLOW} by rule
 * {@code "complain"}, and {@code would} says what enforcing the policy would have done.
 */
public record Decision(Kind kind, int errno, String rule, Complaint would) {

    public enum Kind {
        ALLOW,
        ERRNO,
        KILL,
        INTERRUPTED
    }

    public Decision {
        if (kind == Kind.ERRNO && (errno < 1 || errno > 4095)) {
            throw new IllegalArgumentException("errno " + errno);
        }
        if (kind != Kind.ERRNO && errno != 0) {
            throw new IllegalArgumentException(kind + " takes no errno");
        }
        if (would != null && kind != Kind.ALLOW) {
            throw new IllegalArgumentException("only an allowed call has a complaint");
        }
    }

    public Decision(Kind kind, int errno, String rule) {
        this(kind, errno, rule, null);
    }

    /** Complain mode: the call runs, and {@code would} says how the policy would have denied it. */
    public static Decision complained(Complaint would) {
        return new Decision(Kind.ALLOW, 0, "complain", java.util.Objects.requireNonNull(would, "would"));
    }

    /** Whether enforcing the policy would have denied the call, or did. */
    public boolean denies() {
        return kind != Kind.ALLOW || would != null;
    }

    public static Decision allow(String rule) {
        return new Decision(Kind.ALLOW, 0, rule);
    }

    public static Decision errno(int errno, String rule) {
        return new Decision(Kind.ERRNO, errno, rule);
    }

    public static Decision kill(String rule) {
        return new Decision(Kind.KILL, 0, rule);
    }

    /**
     * The final word on a call that went away before {@code intended} was answered: its rule
     * says what it would have been ({@code "allow p.yaml:12"}).
     */
    public static Decision interrupted(Decision intended) {
        String rule = intended.rule() == null ? "default" : intended.rule();
        return new Decision(
                Kind.INTERRUPTED,
                0,
                intended.tag() + (intended.kind() == Kind.ERRNO ? " " + intended.errno() : "") + " " + rule);
    }

    /** "allow", "errno", "kill", "interrupted": a bounded metric tag value. */
    public String tag() {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
