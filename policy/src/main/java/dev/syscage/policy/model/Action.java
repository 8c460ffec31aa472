package dev.syscage.policy.model;

import dev.syscage.policy.arch.Constants;
import dev.syscage.policy.seccomp.SeccompRet;

/**
 * What seccomp does with a syscall. {@code value} is the 16-bit data of errno, trap and trace
 * (0 for the others).
 */
public record Action(Kind kind, int value) {

    public enum Kind {
        ALLOW("allow", SeccompRet.SECCOMP_RET_ALLOW),
        LOG("log", SeccompRet.SECCOMP_RET_LOG),
        ERRNO("errno", SeccompRet.SECCOMP_RET_ERRNO),
        KILL_PROCESS("kill", SeccompRet.SECCOMP_RET_KILL_PROCESS),
        KILL_THREAD("kill_thread", SeccompRet.SECCOMP_RET_KILL_THREAD),
        TRAP("trap", SeccompRet.SECCOMP_RET_TRAP),
        TRACE("trace", SeccompRet.SECCOMP_RET_TRACE),
        NOTIFY("notify", SeccompRet.SECCOMP_RET_USER_NOTIF);

        private final String word;
        private final int ret;

        Kind(String word, int ret) {
            this.word = word;
            this.ret = ret;
        }

        /** The word used in policies. */
        public String word() {
            return word;
        }

        public int seccompRet() {
            return ret;
        }

        public boolean takesValue() {
            return this == ERRNO || this == TRAP || this == TRACE;
        }
    }

    /** The largest errno the kernel accepts in SECCOMP_RET_ERRNO (MAX_ERRNO). */
    public static final int MAX_ERRNO = 4095;

    public static final Action ALLOW = new Action(Kind.ALLOW, 0);
    public static final Action LOG = new Action(Kind.LOG, 0);
    public static final Action KILL = new Action(Kind.KILL_PROCESS, 0);
    public static final Action KILL_THREAD = new Action(Kind.KILL_THREAD, 0);
    public static final Action NOTIFY = new Action(Kind.NOTIFY, 0);

    public Action {
        if (value < 0 || value > 0xFFFF || (!kind.takesValue() && value != 0)) {
            throw new IllegalArgumentException(kind.word() + " cannot carry value " + value);
        }
        if (kind == Kind.ERRNO && value > MAX_ERRNO) {
            throw new IllegalArgumentException("errno " + value + " is above " + MAX_ERRNO);
        }
    }

    public static Action errno(int errno) {
        return new Action(Kind.ERRNO, errno);
    }

    public static Action trap(int data) {
        return new Action(Kind.TRAP, data);
    }

    public static Action trace(int data) {
        return new Action(Kind.TRACE, data);
    }

    /** The 32-bit value a filter returns for this action. */
    public int seccompRet() {
        return kind.seccompRet() | (value & SeccompRet.SECCOMP_RET_DATA);
    }

    /**
     * The action a filter's return value means. KILL_PROCESS is any value whose action bits say
     * so; unknown action bits are treated as kill, as the kernel does.
     */
    public static Action fromSeccompRet(int ret) {
        int action = ret & SeccompRet.SECCOMP_RET_ACTION_FULL;
        int data = ret & SeccompRet.SECCOMP_RET_DATA;
        return switch (action) {
            case SeccompRet.SECCOMP_RET_ALLOW -> ALLOW;
            case SeccompRet.SECCOMP_RET_LOG -> LOG;
            case SeccompRet.SECCOMP_RET_ERRNO -> errno(Math.min(data, MAX_ERRNO));
            case SeccompRet.SECCOMP_RET_KILL_THREAD -> KILL_THREAD;
            case SeccompRet.SECCOMP_RET_TRAP -> trap(data);
            case SeccompRet.SECCOMP_RET_TRACE -> trace(data);
            case SeccompRet.SECCOMP_RET_USER_NOTIF -> NOTIFY;
            default -> KILL;
        };
    }

    /**
     * The policy spelling for messages, errnos by name where one exists: {@code errno EACCES}
     * rather than {@code errno 13}; other actions as {@link #toString()}.
     */
    public String spelled() {
        String name = kind == Kind.ERRNO ? Constants.errnoName(value) : null;
        return name == null ? toString() : "errno " + name;
    }

    /** The policy spelling with a numeric value: {@code errno 13}, {@code trap 0}, {@code allow}. */
    @Override
    public String toString() {
        return kind.takesValue() ? kind.word() + " " + value : kind.word();
    }
}
