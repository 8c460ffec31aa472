package dev.syscage.policy.oci;

import dev.syscage.policy.arch.Arch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The architectures an import is for. Docker builds the filter for the machine it runs on: the
 * host architecture plus, with {@code archMap}, the sub-architectures listed for it (with a flat
 * {@code architectures} list, all of those). {@code host} is also what {@code includes.arches}
 * and {@code excludes.arches} are compared with. syscage has no x32 or 32-bit ARM tables, so
 * those are dropped with a note: their syscalls get {@code bad_arch}; so are the other
 * architectures libseccomp knows, whose calls never come from this host. A name libseccomp does
 * not know makes runc refuse the profile: an error ({@code errors}, each with its JSON path),
 * or with {@code lenient} a note that it was dropped.
 */
record ImportTarget(Arch host, List<Arch> arches, List<String> notes, Map<String, String> errors) {

    /** The architecture names runc accepts (runc libcontainer/seccomp/config.go, libseccomp's arch list). */
    static final Set<String> LIBSECCOMP_ARCHES = Set.of(
            "SCMP_ARCH_X86",
            "SCMP_ARCH_X86_64",
            "SCMP_ARCH_X32",
            "SCMP_ARCH_ARM",
            "SCMP_ARCH_AARCH64",
            "SCMP_ARCH_MIPS",
            "SCMP_ARCH_MIPS64",
            "SCMP_ARCH_MIPS64N32",
            "SCMP_ARCH_MIPSEL",
            "SCMP_ARCH_MIPSEL64",
            "SCMP_ARCH_MIPSEL64N32",
            "SCMP_ARCH_PPC",
            "SCMP_ARCH_PPC64",
            "SCMP_ARCH_PPC64LE",
            "SCMP_ARCH_S390",
            "SCMP_ARCH_S390X",
            "SCMP_ARCH_PARISC",
            "SCMP_ARCH_PARISC64",
            "SCMP_ARCH_RISCV64",
            "SCMP_ARCH_LOONGARCH64",
            "SCMP_ARCH_M68K",
            "SCMP_ARCH_SH",
            "SCMP_ARCH_SHEB");

    ImportTarget {
        arches = List.copyOf(arches);
        notes = List.copyOf(notes);
        errors = Collections.unmodifiableMap(new LinkedHashMap<>(errors));
    }

    /** From the options' architectures if given (the first is the host), else from the JVM's and the profile. */
    static ImportTarget resolve(OciProfile p, List<Arch> requested, boolean lenient) {
        Arch host = requested.isEmpty() ? Arch.nativeArch() : requested.get(0);
        List<String> notes = new ArrayList<>();
        Map<String, String> errors = new LinkedHashMap<>();
        Map<String, String> listed = profileArches(p, host, notes);
        Set<Arch> fromProfile = new LinkedHashSet<>();
        fromProfile.add(host);
        for (Map.Entry<String, String> en : listed.entrySet()) {
            String name = en.getValue();
            Optional<Arch> a = Arch.byName(name);
            if (a.isPresent()) {
                fromProfile.add(a.get());
            } else if (name.equals("SCMP_ARCH_X32")) {
                notes.add("x32 (SCMP_ARCH_X32) is not supported by syscage; its syscalls get bad_arch");
            } else if (LIBSECCOMP_ARCHES.contains(name)) {
                notes.add(name + " is not supported by syscage; dropped (its calls get bad_arch)");
            } else if (lenient) {
                notes.add(en.getKey() + ": unknown architecture '" + name + "' dropped (runc refuses the profile;"
                        + " --lenient ignores it)");
            } else {
                errors.put(
                        en.getKey(),
                        "unknown architecture '" + name + "': runc refuses the profile"
                                + " (libseccomp has no such architecture); --lenient drops it");
            }
        }
        if (requested.isEmpty()) {
            return new ImportTarget(host, List.copyOf(fromProfile), notes, errors);
        }
        for (Arch a : requested) {
            if (!fromProfile.contains(a) && !listed.isEmpty()) {
                notes.add(a + " is not among the profile's architectures for host " + host + "; imported as asked");
            }
        }
        return new ImportTarget(host, requested, notes, errors);
    }

    /** The SCMP_ARCH_* names Docker would add to the filter on {@code host}, by JSON path. */
    private static Map<String, String> profileArches(OciProfile p, Arch host, List<String> notes) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!p.architectures().isEmpty()) {
            for (int i = 0; i < p.architectures().size(); i++) {
                out.put("architectures[" + i + "]", p.architectures().get(i));
            }
            return out;
        }
        for (int i = 0; i < p.archMap().size(); i++) {
            OciProfile.ArchMapEntry e = p.archMap().get(i);
            if (e.architecture() != null && Arch.byName(e.architecture()).orElse(null) == host) {
                out.put("archMap[" + i + "].architecture", e.architecture());
                for (int j = 0; j < e.subArchitectures().size(); j++) {
                    out.put(
                            "archMap[" + i + "].subArchitectures[" + j + "]",
                            e.subArchitectures().get(j));
                }
                return out;
            }
        }
        if (!p.archMap().isEmpty()) {
            notes.add("archMap has no entry for " + host + "; the filter covers " + host + " only");
        }
        return out;
    }
}
