package dev.syscage.policy.model;

import java.util.Locale;

/**
 * What the supervisor does with a syscall it was sent: let it run, make it fail with an errno
 * (1..4095) without running, or kill the process. Unlike an {@link Action} this is decided in
 * user space, after reading the call's paths, so it has only what a tracer can do.
 */
public record SuperviseDecision(Kind kind, int errno) {

    public enum Kind {
        ALLOW,
        ERRNO,
        KILL;

        /** The word used in policies: {@code allow}, {@code errno}, {@code kill}. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final SuperviseDecision ALLOW = new SuperviseDecision(Kind.ALLOW, 0);
    public static final SuperviseDecision KILL = new SuperviseDecision(Kind.KILL, 0);

    public SuperviseDecision {
        if (kind == Kind.ERRNO && (errno < 1 || errno > Action.MAX_ERRNO)) {
            throw new IllegalArgumentException("a supervise errno must be 1.." + Action.MAX_ERRNO + ", got " + errno);
        }
        if (kind != Kind.ERRNO && errno != 0) {
            throw new IllegalArgumentException(kind.word() + " takes no errno");
        }
    }

    public static SuperviseDecision errno(int errno) {
        return new SuperviseDecision(Kind.ERRNO, errno);
    }

    /** Whether the call is stopped: an errno or a kill. */
    public boolean denies() {
        return kind != Kind.ALLOW;
    }

    /** {@code allow}, {@code errno 13}, {@code kill}. */
    @Override
    public String toString() {
        return kind == Kind.ERRNO ? "errno " + errno : kind.word();
    }
}
