package dev.syscage.run;

import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The names of the signals whose number an exit status 128+N gives (Linux's numbering, the same
 * on x86_64 and aarch64 for 1-31), so that a run can say how the program ended.
 */
public final class SignalNames {
    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
        "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    private SignalNames() {
    }

    /** {@code SIGSEGV} for 11; {@code SIGRTMIN+3} for a real-time signal; empty outside 1..64. */
    public static Optional<String> of(int signal) {
        if (signal >= 1 && signal < NAMES.length) {
            return Optional.of(NAMES[signal]);
        }
        return signal >= 34 && signal <= 64 ? Optional.of("SIGRTMIN+" + (signal - 34)) : Optional.empty();
    }

    /**
     * The rules of {@code policy} that end a call with SIGSYS (kill, kill_thread, trap), as
     * {@code p.yaml:4 trap [mkdir, mkdirat]}: at most {@code max}, then how many more.
     */
    public static List<String> sigsysRules(Policy policy, int max) {
        List<String> out = new ArrayList<>();
        List<Policy.RuleSummary> rules = policy.rules().stream().filter(r -> r.action().kind() == Action.Kind.TRAP
                || r.action().kind() == Action.Kind.KILL_PROCESS || r.action().kind() == Action.Kind.KILL_THREAD).toList();
        for (Policy.RuleSummary r : rules.subList(0, Math.min(max, rules.size()))) {
            out.add((r.pos() == null ? "rule #" + (r.index() + 1) : r.pos().fileLine()) + " " + r.action().kind().word()
                    + " [" + String.join(", ", r.syscalls()) + "]");
        }
        if (rules.size() > max) {
            out.add("and " + (rules.size() - max) + " more");
        }
        return out;
    }

    /** The signal an exit status says ended the program (128+N, as the launcher passes it on), or empty. */
    public static Optional<Integer> fromExitStatus(int status) {
        return status > 128 && status <= 128 + 64 && of(status - 128).isPresent()
                ? Optional.of(status - 128) : Optional.empty();
    }
}
