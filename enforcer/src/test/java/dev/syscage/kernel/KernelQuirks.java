package dev.syscage.kernel;

import static dev.syscage.policy.bpf.Bpf.BPF_K;
import static dev.syscage.policy.bpf.Bpf.BPF_RET;
import static dev.syscage.policy.seccomp.SeccompRet.SECCOMP_RET_ERRNO;

import dev.syscage.kernel.ProbeCase.Abi;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.bpf.Insn;
import dev.syscage.policy.bpf.Program;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Syscall numbers this machine's kernel handles before seccomp sees them, found by asking
 * the kernel: under a filter that fails every call with errno 1111, which numbers come back
 * with anything else? On the CI's Linux 6.18 VM (a Firecracker guest kernel with PVM) x86_64
 * numbers 335 and 336 do, whatever the filter says: 335 raises SIGILL, 336 returns ENXIO, even
 * under a filter that kills every call. No filter can decide them, so the differential test
 * leaves them out, and ProbeTest fails if any other number joins them. i386 numbers are scanned
 * only where int $0x80 works ({@link Ia32}); elsewhere the map has no i386 entry, no i386 call
 * is made and none counts as unfiltered.
 */
final class KernelQuirks {
    /** The numbers documented above, per ABI. */
    static final Map<Abi, Set<Integer>> DOCUMENTED = Map.of(Abi.X86_64, Set.of(335, 336), Abi.I386, Set.of());

    private static final int SCAN_ERRNO = 1111;
    private static final int SCAN_TO = 1023;
    private static Map<Abi, Set<Integer>> found;

    private KernelQuirks() {}

    /** The numbers per ABI that bypassed the filter (0..1023, their x32 twins, and -1); i386 only if scanned. */
    static synchronized Map<Abi, Set<Integer>> unfiltered() {
        if (found == null) {
            found = scan();
        }
        return found;
    }

    static boolean unfiltered(ProbeCase c) {
        return unfiltered().getOrDefault(c.abi(), Set.of()).contains(c.nr());
    }

    private static Map<Abi, Set<Integer>> scan() {
        Program denyAll = new Program(List.of(Insn.stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | SCAN_ERRNO)));
        List<Abi> abis = Ia32.available() ? List.of(Abi.X86_64, Abi.I386) : List.of(Abi.X86_64);
        List<ProbeCase> cases = new ArrayList<>();
        for (int nr = 0; nr <= SCAN_TO; nr++) {
            cases.add(ProbeCase.of(Abi.X86_64, nr));
            cases.add(ProbeCase.of(Abi.X86_64, nr | Arch.X32_SYSCALL_BIT));
            if (abis.contains(Abi.I386)) {
                cases.add(ProbeCase.of(Abi.I386, nr));
            }
        }
        for (Abi abi : abis) {
            cases.add(ProbeCase.of(abi, -1));
        }
        List<KernelResult> results = Probe.run(denyAll, cases);
        Map<Abi, Set<Integer>> out = new EnumMap<>(Abi.class);
        for (Abi abi : abis) {
            out.put(abi, new TreeSet<>());
        }
        for (int i = 0; i < cases.size(); i++) {
            if (!results.get(i).isErrno(SCAN_ERRNO)) {
                out.get(cases.get(i).abi()).add(cases.get(i).nr());
            }
        }
        out.replaceAll((abi, set) -> Collections.unmodifiableSet(set));
        return Collections.unmodifiableMap(out);
    }
}
