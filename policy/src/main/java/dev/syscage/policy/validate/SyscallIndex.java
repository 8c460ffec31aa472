package dev.syscage.policy.validate;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Syscall names as the validator needs them: on the policy's architectures, and across every
 * table syscage has (a name known only elsewhere is a warning, a name known nowhere an error).
 */
final class SyscallIndex {
    private final List<Arch> arches;
    /** Names of every table; loaded only when a name is not on the policy's arches (start-up time). */
    private Set<String> everywhere;

    SyscallIndex(List<Arch> arches) {
        this.arches = List.copyOf(arches);
    }

    List<Arch> arches() {
        return arches;
    }

    Optional<Syscall> on(Arch arch, String name) {
        return SyscallTable.of(arch).byName(name);
    }

    /** Whether some table, of any architecture, has the name. */
    boolean known(String name) {
        return onPolicyArches(name) || allNames().contains(name);
    }

    /** Whether one of the policy's architectures has the name. */
    boolean onPolicyArches(String name) {
        return arches.stream().anyMatch(a -> on(a, name).isPresent());
    }

    /** Every syscall name of every table, for "did you mean". */
    Set<String> allNames() {
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
    String archPhrase() {
        List<String> names = new ArrayList<>();
        arches.forEach(a -> names.add(a.yamlName()));
        if (names.size() == 1) {
            return names.get(0);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }
}
