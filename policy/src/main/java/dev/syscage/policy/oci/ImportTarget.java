package dev.syscage.policy.oci;

import dev.syscage.policy.arch.Arch;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The architectures an import is for. Docker builds the filter for the machine it runs on: the
 * host architecture plus, with {@code archMap}, the sub-architectures listed for it (with a flat
 * {@code architectures} list, all of those). {@code host} is also what {@code includes.arches}
 * and {@code excludes.arches} are compared with. syscage has no x32 or 32-bit ARM tables, so
 * those are dropped with a note: their syscalls get {@code bad_arch}.
 */
record ImportTarget(Arch host, List<Arch> arches, List<String> notes) {

    ImportTarget {
        arches = List.copyOf(arches);
        notes = List.copyOf(notes);
    }

    /** From the options' architectures if given (the first is the host), else from the JVM's and the profile. */
    static ImportTarget resolve(OciProfile p, List<Arch> requested) {
        Arch host = requested.isEmpty() ? Arch.nativeArch() : requested.get(0);
        List<String> notes = new ArrayList<>();
        List<String> listed = profileArches(p, host, notes);
        Set<Arch> fromProfile = new LinkedHashSet<>();
        fromProfile.add(host);
        for (String name : listed) {
            Optional<Arch> a = Arch.byName(name);
            if (a.isPresent()) {
                fromProfile.add(a.get());
            } else if (name.equals("SCMP_ARCH_X32")) {
                notes.add("x32 (SCMP_ARCH_X32) is not supported by syscage; its syscalls get bad_arch");
            } else if (requested.isEmpty()) {
                notes.add(name + " is not supported by syscage; dropped");
            }
        }
        if (requested.isEmpty()) {
            return new ImportTarget(host, List.copyOf(fromProfile), notes);
        }
        for (Arch a : requested) {
            if (!fromProfile.contains(a) && !listed.isEmpty()) {
                notes.add(a + " is not among the profile's architectures for host " + host
                        + "; imported as asked");
            }
        }
        return new ImportTarget(host, requested, notes);
    }

    /** The SCMP_ARCH_* names Docker would add to the filter on {@code host}. */
    private static List<String> profileArches(OciProfile p, Arch host, List<String> notes) {
        if (!p.architectures().isEmpty()) {
            return p.architectures();
        }
        for (OciProfile.ArchMapEntry e : p.archMap()) {
            if (e.architecture() != null && Arch.byName(e.architecture()).orElse(null) == host) {
                List<String> out = new ArrayList<>();
                out.add(e.architecture());
                out.addAll(e.subArchitectures());
                return out;
            }
        }
        if (!p.archMap().isEmpty()) {
            notes.add("archMap has no entry for " + host + "; the filter covers " + host + " only");
        }
        return List.of();
    }
}
