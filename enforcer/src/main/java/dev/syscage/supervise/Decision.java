package dev.syscage.supervise;

/**
 * What the supervisor does with a syscall: let it run, make it fail with an errno without
 * running, or kill the process. {@code rule} says who decided (a supervise rule's file:line, a
 * hook's name, or "default").
 */
public record Decision(Kind kind, int errno, String rule) {

    public enum Kind { ALLOW, ERRNO, KILL }

    public Decision {
        if (kind == Kind.ERRNO && (errno < 1 || errno > 4095)) {
            throw new IllegalArgumentException("errno " + errno);
        }
        if (kind != Kind.ERRNO && errno != 0) {
            throw new IllegalArgumentException(kind + " takes no errno");
        }
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

    /** "allow", "errno", "kill": a bounded metric tag value. */
    public String tag() {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
