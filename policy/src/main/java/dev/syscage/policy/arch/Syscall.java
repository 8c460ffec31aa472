package dev.syscage.policy.arch;

import java.util.List;
import java.util.Optional;

/** One system call of one architecture: number, name and its C prototype's parameters. */
public record Syscall(Arch arch, int nr, String name, List<Param> params) {

    public Syscall {
        params = List.copyOf(params);
    }

    /** The parameter called {@code name}, or {@code argN} for N in 0..5. */
    public Optional<Param> param(String name) {
        for (Param p : params) {
            if (p.name().equals(name)) {
                return Optional.of(p);
            }
        }
        if (name.length() == 4 && name.startsWith("arg") && name.charAt(3) >= '0' && name.charAt(3) <= '5') {
            int i = name.charAt(3) - '0';
            return Optional.of(
                    i < params.size() ? params.get(i) : new Param(i, name, "unsigned long", arch.registerBits()));
        }
        return Optional.empty();
    }
}
