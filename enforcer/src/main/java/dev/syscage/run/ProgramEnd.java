package dev.syscage.run;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * How syscage says that the program was ended by a signal: one line, the same for a plain,
 * a contained, a notify and a trace run (and for {@code learn}), naming the signal, with a
 * detail where syscage knows more (for SIGSYS, the syscall a 'kill' rule killed). The exit
 * status stays the program's, 128+N. As in a shell's {@code $?}, a program that itself exits
 * with 128+N cannot be told from one that signal N killed.
 */
public final class ProgramEnd {
    /** The kernel's signal numbers 1-31 (x86_64 and aarch64 alike), by number; null where none. */
    private static final String[] NAMES = {
        null,
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS"
    };
    /** glibc's SIGRTMIN and the kernel's last signal: the real-time signals, which end a process by default. */
    private static final int SIGRTMIN = 34;

    private static final int SIGRTMAX = 64;

    /** The signal a seccomp 'kill' or 'trap' rule ends a call with. */
    public static final int SIGSYS = 31;

    private ProgramEnd() {}

    /**
     * Whether a program raises {@code sig} on itself when something it relied on failed (a
     * crash: SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGSYS), not a signal sent to end it.
     */
    public static boolean crash(int sig) {
        return switch (signalName(sig)) {
            case "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGSEGV", "SIGSYS" -> true;
            default -> false;
        };
    }

    /**
     * The signal that ended the program, for an exit status 128+N where N is a signal whose
     * default action ends a process (not SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU,
     * SIGURG, SIGWINCH); empty for any other status.
     */
    public static OptionalInt fatalSignal(int exitCode) {
        int sig = exitCode - 128;
        boolean fatal =
                (sig >= 1 && sig < NAMES.length && !ignoredOrStops(sig)) || (sig >= SIGRTMIN && sig <= SIGRTMAX);
        return fatal ? OptionalInt.of(sig) : OptionalInt.empty();
    }

    /** SIGRTMIN+n for the real-time ones, else the name; "signal N" for a number with none. */
    public static String signalName(int sig) {
        if (sig >= 1 && sig < NAMES.length) {
            return NAMES[sig];
        }
        if (sig == SIGRTMIN) {
            return "SIGRTMIN";
        }
        return sig > SIGRTMIN && sig <= SIGRTMAX ? "SIGRTMIN+" + (sig - SIGRTMIN) : "signal " + sig;
    }

    /**
     * The line for a program {@code program} that ended with {@code exitCode}, with
     * {@code detail} (may be empty) after the signal's name; empty when no signal ended it.
     */
    public static Optional<String> line(String program, int exitCode, String detail) {
        OptionalInt sig = fatalSignal(exitCode);
        if (sig.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("syscage: " + program + " was killed by " + signalName(sig.getAsInt())
                + (detail.isEmpty() ? " (exit status " + exitCode + ")" : ": " + detail));
    }

    private static boolean ignoredOrStops(int sig) {
        return switch (NAMES[sig]) {
            case "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGWINCH" -> true;
            default -> false;
        };
    }
}
