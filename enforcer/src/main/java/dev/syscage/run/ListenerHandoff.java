package dev.syscage.run;

import java.util.Arrays;
import java.util.Optional;

/**
 * How notify mode's seccomp listener gets from the program's process to the JVM
 * ({@code syscage run --listener-handoff}). {@code pidfd_getfd} is the normal way; it needs
 * Linux 5.6 and ptrace access to the process, which Yama {@code ptrace_scope} 2 or 3 or an LSM
 * can refuse. The process can instead send the listener over an AF_UNIX socket
 * ({@code SCM_RIGHTS}), which needs neither but runs one more call, {@code sendmsg}, under the
 * filter before the supervisor holds the listener.
 */
public enum ListenerHandoff {
    /** pidfd_getfd where it is allowed, SCM_RIGHTS where it is refused (EPERM) or missing (ENOSYS). */
    AUTO("auto"),
    /** pidfd_getfd only: a refusal ends the run. */
    PIDFD("pidfd"),
    /** SCM_RIGHTS always (for tests, and where pidfd_getfd misbehaves). */
    SCM_RIGHTS("scm-rights");

    private final String word;

    ListenerHandoff(String word) {
        this.word = word;
    }

    /** The word the command line uses. */
    public String word() {
        return word;
    }

    /** The handoff a command-line word names. */
    public static Optional<ListenerHandoff> parse(String word) {
        return Arrays.stream(values()).filter(h -> h.word.equals(word)).findFirst();
    }
}
