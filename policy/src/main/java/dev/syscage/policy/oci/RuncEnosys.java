package dev.syscage.policy.oci;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * runc's ENOSYS stub (libcontainer/seccomp/patchbpf): unless the default action is permissive
 * (ALLOW, LOG, TRACE), runc prepends to the filter a check that makes every syscall numbered
 * above the highest one the profile names (per architecture, counting every entry Docker kept,
 * whatever its action) fail with ENOSYS, so that libc falls back from syscalls newer than the
 * profile. Here: which syscalls of the tables that are.
 */
final class RuncEnosys {
    static final int ENOSYS = 38;

    private final List<Arch> arches;
    private final Map<Arch, Integer> maxNamed = new EnumMap<>(Arch.class);

    RuncEnosys(List<Arch> arches, List<OciProfile.Entry> applicable) {
        this.arches = List.copyOf(arches);
        for (Arch a : arches) {
            SyscallTable t = SyscallTable.of(a);
            int max = -1;
            for (OciProfile.Entry e : applicable) {
                for (String n : e.names()) {
                    max = Math.max(max, t.byName(n).map(Syscall::nr).orElse(-1));
                }
            }
            if (max >= 0) {
                maxNamed.put(a, max);
            }
        }
    }

    /** The highest syscall number the profile names on {@code a}, if it names any there. */
    OptionalInt maxNamed(Arch a) {
        Integer m = maxNamed.get(a);
        return m == null ? OptionalInt.empty() : OptionalInt.of(m);
    }

    /**
     * Syscalls runc answers with ENOSYS on every target architecture that has them. A syscall
     * that gets ENOSYS on one architecture but not on another cannot be written as one rule; it
     * is left to the default action, with a warning.
     */
    List<String> newerSyscalls(List<String> warnings) {
        Set<String> candidates = new LinkedHashSet<>();
        for (Arch a : arches) {
            maxNamed(a)
                    .ifPresent(max -> SyscallTable.of(a).all().stream()
                            .filter(s -> s.nr() > max)
                            .forEach(s -> candidates.add(s.name())));
        }
        List<String> out = new ArrayList<>();
        List<String> mixed = new ArrayList<>();
        for (String name : candidates) {
            boolean everywhere = true;
            for (Arch a : arches) {
                OptionalInt max = maxNamed(a);
                everywhere &= SyscallTable.of(a)
                        .byName(name)
                        .map(s -> max.isPresent() && s.nr() > max.getAsInt())
                        .orElse(true);
            }
            (everywhere ? out : mixed).add(name);
        }
        if (!mixed.isEmpty()) {
            warnings.add("runc's ENOSYS stub covers these syscalls on some of the architectures only (their "
                    + "numbers differ); they keep the default action everywhere: " + String.join(", ", mixed));
        }
        return out;
    }
}
