package dev.syscage.policy.landlock;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Landlock's scopes (ABI 6): what a sandboxed process may not reach outside its domain.
 * {@code abstract-unix-socket}: connect to an abstract UNIX socket made by a process outside;
 * {@code signal}: send a signal to a process outside.
 */
public final class Scope {
    public static final long ABSTRACT_UNIX_SOCKET = 1L << 0;
    public static final long SIGNAL = 1L << 1;
    public static final long ALL = ABSTRACT_UNIX_SOCKET | SIGNAL;

    private Scope() {}

    /** {@code signal}/{@code signals}, {@code abstract-unix-socket}/{@code abstract-unix-sockets}, '_' or '-'. */
    public static Optional<Long> parse(String word) {
        String w = word.replace('_', '-');
        return switch (w) {
            case "signal", "signals" -> Optional.of(SIGNAL);
            case "abstract-unix-socket", "abstract-unix-sockets" -> Optional.of(ABSTRACT_UNIX_SOCKET);
            case "all" -> Optional.of(ALL);
            default -> Optional.empty();
        };
    }

    public static List<String> words() {
        return List.of("signal", "abstract-unix-socket", "all");
    }

    public static List<String> names(long mask) {
        List<String> out = new ArrayList<>();
        if ((mask & ABSTRACT_UNIX_SOCKET) != 0) {
            out.add("abstract_unix_socket");
        }
        if ((mask & SIGNAL) != 0) {
            out.add("signal");
        }
        return out;
    }
}
