package dev.syscage.policy.isolate;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What {@code syscage run} does where the kernel or the caller's privileges cannot give the run
 * what its {@code isolate:} section asks (no user namespaces for this user, a kernel without
 * network namespaces, ...).
 */
public enum Compat {
    /** Refuse to run the program. */
    REQUIRED("required"),
    /**
     * Run without what cannot be made, say so, and enforce what a fallback can
     * ({@link dev.syscage.policy.fallback.MountFallback}).
     */
    BEST_EFFORT("best-effort");

    private final String word;

    Compat(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    public static Optional<Compat> byWord(String word) {
        return Arrays.stream(values()).filter(c -> c.word.equals(word)).findFirst();
    }

    public static List<String> words() {
        return Arrays.stream(values()).map(Compat::word).toList();
    }
}
