package dev.syscage.policy.oci;

import dev.syscage.policy.arch.Arch;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an OCI profile is imported for, since Docker resolves a profile's {@code includes} and
 * {@code excludes} against the container: its bounding capabilities ({@code caps}, null: Docker's
 * default set), the architectures of the policy ({@code arches}; the first is the host that
 * {@code includes.arches} is compared with; empty: the JVM's architecture and what the profile
 * lists for it), the kernel release for {@code minKernel} (null: the running kernel), and
 * whether to reproduce runc's ENOSYS stub for syscalls newer than the profile ({@code runcEnosys}),
 * and whether to accept, as runc does, what would quietly weaken the profile ({@code lenient}): a
 * deny entry none of whose names is known, a deny entry without names, an architecture libseccomp
 * does not know. Without it those are errors; with it they are dropped and listed.
 */
public record ImportOptions(Set<String> caps, List<Arch> arches, String kernel, boolean runcEnosys, boolean lenient) {

    /** The capabilities Docker gives a container by default (moby's oci/caps DefaultCapabilities). */
    public static final Set<String> DOCKER_DEFAULT_CAPS = Set.of(
            "CAP_CHOWN",
            "CAP_DAC_OVERRIDE",
            "CAP_FSETID",
            "CAP_FOWNER",
            "CAP_MKNOD",
            "CAP_NET_RAW",
            "CAP_SETGID",
            "CAP_SETUID",
            "CAP_SETFCAP",
            "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT",
            "CAP_KILL",
            "CAP_AUDIT_WRITE");

    public ImportOptions {
        caps = normalize(caps == null ? DOCKER_DEFAULT_CAPS : caps);
        arches = arches == null
                ? List.of()
                : List.copyOf(arches.stream().distinct().toList());
        kernel = kernel == null || kernel.isBlank() ? System.getProperty("os.version", "0.0") : kernel.trim();
    }

    public ImportOptions(Set<String> caps, List<Arch> arches, String kernel, boolean runcEnosys) {
        this(caps, arches, kernel, runcEnosys, false);
    }

    public ImportOptions(Set<String> caps, List<Arch> arches, String kernel) {
        this(caps, arches, kernel, true);
    }

    /** The same options with runc's leniency switched on or off. */
    public ImportOptions withLenient(boolean on) {
        return new ImportOptions(caps, arches, kernel, runcEnosys, on);
    }

    /** Docker's default capabilities, the host architecture, the running kernel, runc's ENOSYS stub. */
    public static ImportOptions defaults() {
        return new ImportOptions(null, null, null);
    }

    /** Capability names in upper case with the {@code CAP_} prefix, as profiles spell them. */
    private static Set<String> normalize(Set<String> in) {
        Set<String> out = new TreeSet<>();
        for (String c : in) {
            String u = c.trim().toUpperCase(Locale.ROOT);
            out.add(u.startsWith("CAP_") ? u : "CAP_" + u);
        }
        return Collections.unmodifiableSet(out);
    }
}
