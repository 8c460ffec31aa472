package dev.syscage.policy.oci;

import dev.syscage.policy.arch.Arch;
import java.util.Optional;
import java.util.Set;

/**
 * Decides, as Docker (moby's profiles/seccomp setupSeccomp) does before handing a profile to the
 * runtime, whether an entry is part of the filter: none of its {@code excludes} may hold (any
 * listed capability held, the host architecture listed, kernel at least minKernel) and all of
 * its {@code includes} must (every listed capability held, the host architecture listed, kernel
 * at least minKernel). Architectures are compared with the host's name as Docker spells it
 * ({@code amd64}, {@code arm64}, {@code x86}), never per filter architecture.
 */
final class Applicability {
    private final String host;
    private final Set<String> caps;
    private final KernelVersion kernel;

    Applicability(Arch host, Set<String> caps, KernelVersion kernel) {
        this.host = dockerName(host);
        this.caps = caps;
        this.kernel = kernel;
    }

    /** The name Docker gives an architecture in includes/excludes ({@code runtime.GOARCH} mapped by moby). */
    static String dockerName(Arch a) {
        return switch (a) {
            case X86_64 -> "amd64";
            case AARCH64 -> "arm64";
            case I386 -> "x86";
        };
    }

    /** Why the entry is left out, or empty when Docker keeps it. */
    Optional<String> whyNot(OciProfile.Entry e) {
        OciProfile.Filter ex = e.excludes();
        if (ex.arches().contains(host)) {
            return Optional.of("excluded on " + host);
        }
        for (String c : ex.caps()) {
            if (caps.contains(c)) {
                return Optional.of("excluded with " + c);
            }
        }
        if (ex.minKernel() != null && atLeast(ex.minKernel())) {
            return Optional.of("excluded on kernel " + ex.minKernel() + " and later");
        }
        OciProfile.Filter in = e.includes();
        if (!in.arches().isEmpty() && !in.arches().contains(host)) {
            return Optional.of("only for " + String.join(", ", in.arches()));
        }
        for (String c : in.caps()) {
            if (!caps.contains(c)) {
                return Optional.of("needs " + c);
            }
        }
        if (in.minKernel() != null && !atLeast(in.minKernel())) {
            return Optional.of("needs kernel " + in.minKernel());
        }
        return Optional.empty();
    }

    private boolean atLeast(String minKernel) {
        return KernelVersion.parse(minKernel).map(v -> kernel.compareTo(v) >= 0).orElse(false);
    }
}
