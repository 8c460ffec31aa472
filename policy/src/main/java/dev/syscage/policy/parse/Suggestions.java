package dev.syscage.policy.parse;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * "Did you mean" hints: the candidate closest to a misspelt word by edit distance, if it is
 * close enough to be a plausible typo. Shared by every stage that reports unknown names (keys,
 * syscalls, groups, constants, actions).
 */
public final class Suggestions {
    private Suggestions() {}

    /**
     * The closest candidate within the typo distance for {@code word}, ties broken
     * alphabetically. Words of one or two letters only match ignoring case: one edit away from
     * them is almost anything.
     */
    public static Optional<String> closest(String word, Collection<String> candidates) {
        int limit = word.length() <= 2 ? 0 : word.length() <= 4 ? 1 : 2;
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String lower = word.toLowerCase(Locale.ROOT);
        for (String c : candidates) {
            if (c.equals(word)) {
                continue;
            }
            int d = c.toLowerCase(Locale.ROOT).equals(lower) ? 0 : distance(word, c, limit);
            if (d <= limit && (d < bestDistance || (d == bestDistance && c.compareTo(best) < 0))) {
                best = c;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    /** {@code " (did you mean 'x'?)"} or the empty string, ready to append to a message. */
    public static String hint(String word, Collection<String> candidates) {
        return closest(word, candidates)
                .map(s -> " (did you mean '" + s + "'?)")
                .orElse("");
    }

    /**
     * Edit distance counting insertions, deletions, substitutions and swaps of two neighbouring
     * letters ("raed" for "read") as one edit each (optimal string alignment). Gives up, returning
     * {@code limit + 1}, as soon as the result must exceed {@code limit}, so scanning a thousand
     * syscall names stays cheap.
     */
    static int distance(String a, String b, int limit) {
        if (Math.abs(a.length() - b.length()) > limit) {
            return limit + 1;
        }
        int[] before = new int[b.length() + 1];
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            int rowMin = cur[0];
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    cur[j] = Math.min(cur[j], before[j - 2] + 1);
                }
                rowMin = Math.min(rowMin, cur[j]);
            }
            if (rowMin > limit) {
                return limit + 1;
            }
            int[] t = before;
            before = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
