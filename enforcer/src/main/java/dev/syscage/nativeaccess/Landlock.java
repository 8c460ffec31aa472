package dev.syscage.nativeaccess;

import dev.syscage.policy.arch.Constants;
import dev.syscage.policy.landlock.LandlockRuleset;

/**
 * Landlock as the enforcer needs it: which ABI this kernel has, and putting the calling thread
 * into a domain made from a {@link LandlockRuleset}, as the launcher puts the program into one.
 * Named after the kernel's calls ({@code landlock_create_ruleset}, {@code landlock_add_rule},
 * {@code landlock_restrict_self}); the JNA binding ({@link JnaLandlock}) is behind it. Failures
 * are {@link Failure}s that name the call, the errno and, where one helps, a hint.
 *
 * <p>A domain holds a thread, not a process: {@code landlock_restrict_self} (like
 * {@code PR_SET_NO_NEW_PRIVS}) changes only the calling thread's credentials, and the JVM's other
 * threads go on as before.
 */
public interface Landlock {
    /** landlock_create_ruleset's flag that asks for the ABI version instead of making a ruleset. */
    int LANDLOCK_CREATE_RULESET_VERSION = 1 << 0;
    /** landlock_add_rule's rule types: {@code struct landlock_path_beneath_attr}, {@code struct landlock_net_port_attr}. */
    int LANDLOCK_RULE_PATH_BENEATH = 1;

    int LANDLOCK_RULE_NET_PORT = 2;
    int PR_SET_NO_NEW_PRIVS = 38;

    /**
     * This kernel's Landlock ABI version ({@code landlock_create_ruleset(NULL, 0,
     * LANDLOCK_CREATE_RULESET_VERSION)}); 0 where there is none ({@code ENOSYS}: not built in or
     * before Linux 5.13; {@code EOPNOTSUPP}: built in, not enabled at boot).
     *
     * @throws Failure for any other errno (a seccomp filter around syscage refusing the call, say)
     */
    int abi();

    /**
     * Makes the kernel's ruleset for {@code r} now: {@code landlock_create_ruleset} with the
     * handled rights, and a rule for each path (opened {@code O_PATH} now: what a path names is
     * fixed here, not when a thread is restricted) and port. A path rule on a file that is not a
     * directory keeps only {@link dev.syscage.policy.landlock.FsAccess#FILE_RIGHTS} (and is left
     * out when nothing is left); a missing path is left out when its rule is optional, and fails
     * otherwise. {@code r} must fit this kernel's ABI ({@link LandlockRuleset#negotiate}).
     *
     * @throws Failure naming the call (and path) that failed; nothing stays open then
     */
    Ruleset createRuleset(LandlockRuleset r);

    /** {@code r}'s domain for the calling thread alone: {@link #createRuleset}, restrict, close. */
    default void restrictCurrentThread(LandlockRuleset r) {
        try (Ruleset made = createRuleset(r)) {
            made.restrictCurrentThread();
        }
    }

    /** A ruleset made in the kernel (its fd), from which any number of threads can be restricted. */
    interface Ruleset extends AutoCloseable {
        /**
         * {@code prctl(PR_SET_NO_NEW_PRIVS, 1)} and {@code landlock_restrict_self(fd, 0)} on the
         * calling thread: from now on it is in the domain, for good.
         *
         * @throws Failure naming the call; the thread is then not in the domain (but may have no_new_privs)
         */
        void restrictCurrentThread();

        /** Closes the ruleset's fd; threads restricted from it stay restricted. */
        @Override
        void close();
    }

    /** A Landlock call that failed: the call as written in the message, and its errno (0 when none). */
    final class Failure extends RuntimeException {
        private final String call;
        private final int errno;

        public Failure(String call, int errno, String hint) {
            super(message(call, errno, hint));
            this.call = call;
            this.errno = errno;
        }

        public String call() {
            return call;
        }

        public int errno() {
            return errno;
        }

        /** {@code call: strerror (ENAME). (Hint: hint.)}, as the launcher's {@code die_errno} writes it. */
        static String message(String call, int errno, String hint) {
            String name = Constants.errnoName(errno);
            String text = LinuxCLibrary.instance().strerror(errno);
            return call + ": " + text + " (" + (name != null ? name : "errno " + errno) + ")"
                    + (hint == null ? "" : ". (Hint: " + hint + ".)");
        }
    }

    static Landlock instance() {
        return JnaLandlock.INSTANCE;
    }
}
