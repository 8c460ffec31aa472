package dev.syscage.policy.arch;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Syscall names as a policy's validation needs them: on the policy's architectures, and across every
 * table syscage has (a name known only elsewhere is a warning, a name known nowhere an error).
 */
public final class SyscallIndex {
    private final List<Arch> arches;
    /** Names of every table; loaded only when a name is not on the policy's arches (start-up time). */
    private Set<String> everywhere;

    public SyscallIndex(List<Arch> arches) {
        this.arches = List.copyOf(arches);
    }

    public List<Arch> arches() {
        return arches;
    }

    public Optional<Syscall> on(Arch arch, String name) {
        return SyscallTable.of(arch).byName(name);
    }

    /** Whether some table, of any architecture, has the name. */
    public boolean known(String name) {
        return onPolicyArches(name) || allNames().contains(name);
    }

    /** Whether one of the policy's architectures has the name. */
    public boolean onPolicyArches(String name) {
        return arches.stream().anyMatch(a -> on(a, name).isPresent());
    }

    /** Every syscall name of every table, for "did you mean". */
    public Set<String> allNames() {
        if (everywhere == null) {
            Set<String> all = new TreeSet<>();
            for (Arch a : Arch.values()) {
                SyscallTable.of(a).all().forEach(s -> all.add(s.name()));
            }
            everywhere = all;
        }
        return everywhere;
    }

    /** The policy's architectures as a phrase: {@code aarch64}, {@code x86_64 or aarch64}. */
    public String archPhrase() {
        List<String> names = new ArrayList<>();
        arches.forEach(a -> names.add(a.yamlName()));
        if (names.size() == 1) {
            return names.get(0);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }
}
