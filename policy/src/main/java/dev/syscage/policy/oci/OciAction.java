package dev.syscage.policy.oci;

import dev.syscage.policy.model.Action;
import java.util.Optional;

/**
 * The actions of the OCI runtime spec ({@code LinuxSeccompAction}) and what runc makes of them:
 * {@code SCMP_ACT_KILL} is libseccomp's kill-thread; {@code errnoRet} is the errno of ERRNO and
 * the data of TRACE, both EPERM (1) when absent; TRAP ignores it (crun rejects it). This is the
 * one place where the two vocabularies meet, in both directions.
 */
enum OciAction {
    SCMP_ACT_KILL,
    SCMP_ACT_KILL_THREAD,
    SCMP_ACT_KILL_PROCESS,
    SCMP_ACT_TRAP,
    SCMP_ACT_ERRNO,
    SCMP_ACT_TRACE,
    SCMP_ACT_ALLOW,
    SCMP_ACT_LOG,
    SCMP_ACT_NOTIFY;

    /** EPERM, what runc uses for ERRNO and TRACE without {@code errnoRet}. */
    static final int RUNC_DEFAULT_ERRNO = 1;

    static Optional<OciAction> byName(String s) {
        for (OciAction a : values()) {
            if (a.name().equals(s)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** Whether {@code errnoRet} means something for this action (runc, crun). */
    boolean takesErrno() {
        return this == SCMP_ACT_ERRNO || this == SCMP_ACT_TRACE;
    }

    /** Actions after which runc does not add its ENOSYS stub ("permissive" default actions). */
    boolean permissive() {
        return this == SCMP_ACT_ALLOW || this == SCMP_ACT_LOG || this == SCMP_ACT_TRACE;
    }

    /** The syscage action runc installs for this action and {@code errnoRet} (null: absent). */
    Action toAction(Long errnoRet) {
        int data = errnoRet == null ? RUNC_DEFAULT_ERRNO : (int) (long) errnoRet;
        return switch (this) {
            case SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD -> Action.KILL_THREAD;
            case SCMP_ACT_KILL_PROCESS -> Action.KILL;
            case SCMP_ACT_TRAP -> Action.trap(0);
            case SCMP_ACT_ERRNO -> Action.errno(data);
            case SCMP_ACT_TRACE -> Action.trace(data);
            case SCMP_ACT_ALLOW -> Action.ALLOW;
            case SCMP_ACT_LOG -> Action.LOG;
            case SCMP_ACT_NOTIFY -> Action.NOTIFY;
        };
    }

    /** The OCI action for a syscage action (the data goes to {@code errnoRet}, see {@link #errnoRet}). */
    static OciAction of(Action a) {
        return switch (a.kind()) {
            case ALLOW -> SCMP_ACT_ALLOW;
            case LOG -> SCMP_ACT_LOG;
            case ERRNO -> SCMP_ACT_ERRNO;
            case KILL_PROCESS -> SCMP_ACT_KILL_PROCESS;
            case KILL_THREAD -> SCMP_ACT_KILL_THREAD;
            case TRAP -> SCMP_ACT_TRAP;
            case TRACE -> SCMP_ACT_TRACE;
            case NOTIFY -> SCMP_ACT_NOTIFY;
        };
    }

    /** The {@code errnoRet} to write for a syscage action, if it carries one OCI can hold. */
    static Optional<Integer> errnoRet(Action a) {
        return of(a).takesErrno() ? Optional.of(a.value()) : Optional.empty();
    }

    /** An action as policy YAML spells it, with errno names where one exists: {@code errno EPERM}. */
    static String yaml(Action a) {
        return a.spelled();
    }
}
