package dev.syscage.policy.oci;

import java.util.List;

/**
 * An OCI seccomp profile as Docker/moby writes it: the runtime spec's {@code LinuxSeccomp}
 * (defaultAction, defaultErrnoRet, architectures, flags, listenerPath, syscalls with names,
 * action, errnoRet and args) plus moby's extensions ({@code archMap}, the legacy {@code name},
 * {@code includes}/{@code excludes} and {@code comment}). Read by {@link OciProfileReader};
 * numbers are unsigned 64-bit, held in {@code long}.
 */
record OciProfile(
        String source,
        OciAction defaultAction,
        Long defaultErrnoRet,
        List<String> architectures,
        List<ArchMapEntry> archMap,
        List<Entry> syscalls,
        List<String> flags,
        String listenerPath) {

    OciProfile {
        architectures = List.copyOf(architectures);
        archMap = List.copyOf(archMap);
        syscalls = List.copyOf(syscalls);
        flags = List.copyOf(flags);
    }

    /** {@code {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": [...]}}. */
    record ArchMapEntry(String architecture, List<String> subArchitectures) {
        ArchMapEntry {
            subArchitectures = List.copyOf(subArchitectures);
        }
    }

    /**
     * One element of {@code syscalls}; {@code index} is its position, used to cite it as
     * {@code syscalls[index]}. {@code errnoRet} is null when absent.
     */
    record Entry(
            int index,
            List<String> names,
            OciAction action,
            Long errnoRet,
            List<Arg> args,
            Filter includes,
            Filter excludes,
            String comment) {
        Entry {
            names = List.copyOf(names);
            args = List.copyOf(args);
        }

        String cite() {
            return "syscalls[" + index + "]";
        }
    }

    /** {@code {"index": 0, "value": 38, "valueTwo": 0, "op": "SCMP_CMP_LT"}}. */
    record Arg(int index, long value, long valueTwo, Op op) {}

    /** The comparison operators; names are the spec's without the {@code SCMP_CMP_} prefix. */
    enum Op {
        NE,
        LT,
        LE,
        EQ,
        GE,
        GT,
        MASKED_EQ;

        String ociName() {
            return "SCMP_CMP_" + name();
        }
    }

    /** moby's {@code includes}/{@code excludes}: capabilities, architectures and a minimum kernel. */
    record Filter(List<String> caps, List<String> arches, String minKernel) {
        static final Filter EMPTY = new Filter(List.of(), List.of(), null);

        Filter {
            caps = List.copyOf(caps);
            arches = List.copyOf(arches);
        }

        boolean isEmpty() {
            return caps.isEmpty() && arches.isEmpty() && minKernel == null;
        }

        /** {@code caps [CAP_SYS_ADMIN], arches [s390, s390x], minKernel 4.8}. */
        String describe() {
            StringBuilder sb = new StringBuilder();
            if (!caps.isEmpty()) {
                sb.append("caps [").append(String.join(", ", caps)).append(']');
            }
            if (!arches.isEmpty()) {
                sb.append(sb.length() > 0 ? ", " : "")
                        .append("arches [")
                        .append(String.join(", ", arches))
                        .append(']');
            }
            if (minKernel != null) {
                sb.append(sb.length() > 0 ? ", " : "").append("minKernel ").append(minKernel);
            }
            return sb.toString();
        }
    }
}
