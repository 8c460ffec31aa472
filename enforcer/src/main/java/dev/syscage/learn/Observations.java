package dev.syscage.learn;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one learn run saw, from the program's first execve on: how often each syscall was made
 * (by name, on the native arch), the values of the {@link ArgRule} arguments, how many distinct
 * resolved paths were named, how many calls came before the execve (the launcher's own), and what
 * it did to the file system ({@link Footprint}).
 */
public record Observations(
        SortedMap<String, Long> counts,
        Map<String, SortedSet<Long>> argValues,
        int distinctPaths,
        long launcherCalls,
        Footprint footprint) {

    public Observations {
        counts = Collections.unmodifiableSortedMap(new TreeMap<>(counts));
        Map<String, SortedSet<Long>> copy = new TreeMap<>();
        argValues.forEach((k, v) -> copy.put(k, Collections.unmodifiableSortedSet(new TreeSet<>(v))));
        argValues = Collections.unmodifiableMap(copy);
    }

    public long totalCalls() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
