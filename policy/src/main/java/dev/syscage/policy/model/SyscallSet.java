package dev.syscage.policy.model;

import dev.syscage.policy.arch.Arch;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The syscalls a supervise rule covers, per architecture, each with the condition under which
 * the rule applies to it ({@link Cond#TRUE} for a rule without {@code when}): a rule's
 * {@code when} resolves to different argument positions and constants for each syscall and
 * architecture. Lookups go through arrays indexed by syscall number, since the supervisor asks
 * for every event.
 */
public final class SyscallSet {
    private static final Cond[] NONE = new Cond[0];

    private final Map<Arch, SortedMap<Integer, Cond>> byArch;
    /** By arch ordinal, then syscall number; null where the rule does not apply. */
    private final Cond[][] table;

    private SyscallSet(Map<Arch, SortedMap<Integer, Cond>> byArch) {
        this.byArch = byArch;
        this.table = new Cond[Arch.values().length][];
        for (Arch a : Arch.values()) {
            SortedMap<Integer, Cond> m = byArch.get(a);
            Cond[] row = m == null || m.isEmpty() ? NONE : new Cond[m.lastKey() + 1];
            if (m != null) {
                m.forEach((nr, c) -> row[nr] = c);
            }
            table[a.ordinal()] = row;
        }
    }

    /** From syscall numbers and conditions per architecture (numbers must be 0 or more). */
    public static SyscallSet of(Map<Arch, ? extends Map<Integer, Cond>> conditions) {
        Map<Arch, SortedMap<Integer, Cond>> copy = new EnumMap<>(Arch.class);
        conditions.forEach((arch, m) -> {
            TreeMap<Integer, Cond> t = new TreeMap<>(m);
            if (!t.isEmpty() && t.firstKey() < 0) {
                throw new IllegalArgumentException("syscall number " + t.firstKey() + " on " + arch);
            }
            copy.put(arch, Collections.unmodifiableSortedMap(t));
        });
        return new SyscallSet(Collections.unmodifiableMap(copy));
    }

    /** The condition for syscall {@code nr} on {@code arch}, or null when the rule does not name it there. */
    public Cond condition(Arch arch, int nr) {
        Cond[] row = table[arch.ordinal()];
        return nr >= 0 && nr < row.length ? row[nr] : null;
    }

    public boolean contains(Arch arch, int nr) {
        return condition(arch, nr) != null;
    }

    /** The syscall numbers covered on {@code arch}, ascending. */
    public Set<Integer> numbers(Arch arch) {
        SortedMap<Integer, Cond> m = byArch.get(arch);
        return m == null ? Set.of() : m.keySet();
    }

    /** Every architecture's numbers and conditions. */
    public Map<Arch, SortedMap<Integer, Cond>> asMap() {
        return byArch;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SyscallSet s && s.byArch.equals(byArch);
    }

    @Override
    public int hashCode() {
        return byArch.hashCode();
    }

    @Override
    public String toString() {
        return byArch.toString();
    }
}
