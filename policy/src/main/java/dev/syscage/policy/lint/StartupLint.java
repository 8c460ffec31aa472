package dev.syscage.policy.lint;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.RuleRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Syscalls every dynamically linked program makes before main: a policy that denies one of
 * them for all arguments stops every such program at start-up. A requirement is a list of
 * alternatives, one of which is enough (libc versions differ: fstat or newfstatat).
 *
 * <p>The x86_64 list is what {@code strace /bin/true} shows with glibc 2.36 (Debian 12), besides
 * execve (see {@link LauncherLint}) and access (ld.so's check for /etc/ld.so.preload tolerates
 * an error); rseq and prlimit64 failing with an errno is tolerated by glibc too, but a kill is
 * not, so they stay. exit_group ends every program and rt_sigreturn returns from every signal
 * handler. i386 and aarch64 use the same calls under their own names (mmap2 and
 * set_thread_area on i386).
 */
final class StartupLint {
    private static final List<List<String>> COMMON = List.of(
            List.of("brk"),
            List.of("mprotect"),
            List.of("munmap"),
            List.of("openat", "open"),
            List.of("read"),
            List.of("pread64"),
            List.of("close"),
            List.of("set_tid_address"),
            List.of("set_robust_list"),
            List.of("rseq"),
            List.of("exit_group"),
            List.of("rt_sigreturn"));
    private static final Map<Arch, List<List<String>>> PER_ARCH = Map.of(
            Arch.X86_64,
                    List.of(
                            List.of("arch_prctl"),
                            List.of("mmap"),
                            List.of("fstat", "newfstatat"),
                            List.of("prlimit64")),
            Arch.AARCH64, List.of(List.of("mmap"), List.of("fstat", "newfstatat"), List.of("prlimit64")),
            Arch.I386,
                    List.of(
                            List.of("set_thread_area"),
                            List.of("mmap2"),
                            List.of("fstat64", "fstatat64", "statx"),
                            List.of("prlimit64", "ugetrlimit")));

    private StartupLint() {}

    /** The requirements for one arch, in the order they are reported. */
    static List<List<String>> requirements(Arch arch) {
        List<List<String>> all = new ArrayList<>(COMMON);
        all.addAll(PER_ARCH.get(arch));
        return all;
    }

    static void check(Policy policy, Diagnostics d) {
        for (ArchPolicy ap : policy.arches()) {
            // grouped by the rule (or fallback) that denies them, so the warning points at it
            Map<RuleRef, List<String>> denied = new LinkedHashMap<>();
            for (List<String> alternatives : requirements(ap.arch())) {
                deniedBy(ap, alternatives)
                        .ifPresent(ref -> denied.computeIfAbsent(ref, k -> new ArrayList<>())
                                .add(String.join("/", alternatives)));
            }
            denied.forEach((ref, names) -> {
                SourcePos pos = ref.pos();
                d.warning(
                        pos,
                        "policy denies " + String.join(", ", names) + PolicyLint.onArch(policy, ap.arch())
                                + ": every dynamically linked program calls " + (names.size() == 1 ? "it" : "them")
                                + " at start-up, and would fail before main");
            });
        }
    }

    /**
     * Who denies the requirement, when every alternative the arch has is denied for all
     * arguments; empty when one of them gets through or the arch has none of them.
     */
    private static Optional<RuleRef> deniedBy(ArchPolicy ap, List<String> alternatives) {
        RuleRef by = null;
        for (String name : alternatives) {
            Optional<Reach> r = Reach.of(ap, name);
            if (r.isEmpty()) {
                continue;
            }
            if (!r.get().always(Reach::denies)) {
                return Optional.empty();
            }
            if (by == null) {
                by = r.get().last().rule();
            }
        }
        return Optional.ofNullable(by);
    }
}
