package dev.syscage.policy.lint;

import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.model.Policy;
import java.util.List;

/**
 * Checks a valid policy for mistakes the kernel would not report: a program that could not
 * start under it, or rules that a known route around seccomp makes pointless. Each check is
 * its own class; docs/policy.md ("Lints") describes them all. Diagnostics carry the position
 * of the rule (or fallback) they are about, where the policy came from a file.
 *
 * <ol>
 *   <li>{@link LauncherLint}: execve and the launcher's prctl(PR_GET_SECCOMP) (error when the
 *       program could not start at all);
 *   <li>{@link StartupLint}: syscalls every dynamically linked program makes at start-up;
 *   <li>{@link CloneLint}: clone argument rules while clone3 is allowed;
 *   <li>{@link MultiplexerLint}: socketcall and ipc on i386;
 *   <li>{@link IoUringLint}: io_uring while file or network syscalls are restricted.
 * </ol>
 */
public final class PolicyLint {
    private PolicyLint() {}

    /** Every finding, in the order above; errors mean the program could not start. */
    public static List<Diagnostic> check(Policy policy) {
        Diagnostics d = new Diagnostics();
        LauncherLint.check(policy, d);
        StartupLint.check(policy, d);
        CloneLint.check(policy, d);
        MultiplexerLint.check(policy, d);
        IoUringLint.check(policy, d);
        return List.copyOf(d.all());
    }

    /** " on ARCH" when the policy has several arches, so a message says which one; else "". */
    static String onArch(Policy policy, dev.syscage.policy.arch.Arch arch) {
        return policy.arches().size() > 1 ? " on " + arch : "";
    }

    /** At most {@code max} names joined with ", ", then "and N more". */
    static String names(List<String> names, int max) {
        if (names.size() <= max) {
            return String.join(", ", names);
        }
        return String.join(", ", names.subList(0, max)) + " and " + (names.size() - max) + " more";
    }
}
