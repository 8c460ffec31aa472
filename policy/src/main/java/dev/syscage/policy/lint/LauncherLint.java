package dev.syscage.policy.lint;

import dev.syscage.policy.arch.Constants;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.eval.Decision;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Policy;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The calls syscage-launch itself makes after installing the filter: execve of the program
 * (pointer arguments, so judged over all argument values) and prctl(PR_GET_SECCOMP, 0, 0, 0, 0)
 * to check that the filter is in force (concrete arguments, so decided exactly). The launcher
 * refuses to run the program when that prctl reports no filter, that is, fails with EINVAL or
 * "succeeds" with errno 0 (see native/launcher/seccomp.c).
 */
final class LauncherLint {
    private static final int EINVAL = 22;

    private LauncherLint() {}

    static void check(Policy policy, Diagnostics d) {
        for (ArchPolicy ap : policy.arches()) {
            String on = PolicyLint.onArch(policy, ap.arch());
            Reach.of(ap, "execve").ifPresent(r -> execve(r, on, d));
            prctl(policy, ap, on, d);
        }
    }

    private static void execve(Reach r, String on, Diagnostics d) {
        if (r.always(Reach::denies)) {
            d.error(r.last().rule().pos(), "policy " + verb(r) + " execve" + on + ": the program could not start");
        } else if (r.sometimes(Reach::denies)) {
            Reach.Step s = r.first(Reach::denies).orElseThrow();
            d.warning(
                    s.rule().pos(),
                    "policy " + verb(s.action()) + " execve" + on + " for some arguments: "
                            + "the program could not start if its own execve is one of them");
        }
    }

    private static void prctl(Policy policy, ArchPolicy ap, String on, Diagnostics d) {
        Optional<Syscall> prctl = ap.table().byName("prctl");
        long getSeccomp = Constants.of(ap.arch()).value("PR_GET_SECCOMP").orElse(21);
        if (prctl.isEmpty()) {
            return;
        }
        Decision dec = ReferenceEvaluator.decide(
                policy, SeccompData.of(prctl.get().nr(), ap.arch().auditArch(), getSeccomp));
        Action a = dec.action();
        String why;
        if (a.kind() == Action.Kind.ERRNO && a.value() == EINVAL) {
            why = "fail with EINVAL";
        } else if (a.kind() == Action.Kind.ERRNO && a.value() == 0) {
            why = "return 0 (errno 0)";
        } else if (Reach.denies(a) && a.kind() != Action.Kind.ERRNO) {
            d.error(
                    dec.rule().pos(),
                    "policy " + verb(a) + " prctl(PR_GET_SECCOMP)" + on
                            + ": syscage-launch makes that call to check the filter, so the program could not start");
            return;
        } else {
            return;
        }
        d.error(
                dec.rule().pos(),
                "policy makes prctl(PR_GET_SECCOMP)" + on + " " + why
                        + ": syscage-launch reads that as 'no filter installed' and does not start the program");
    }

    /** "kills", "traps" or "denies", for all the denying outcomes of {@code r}. */
    private static String verb(Reach r) {
        Set<Action.Kind> kinds = EnumSet.noneOf(Action.Kind.class);
        r.steps().forEach(s -> kinds.add(s.action().kind()));
        if (EnumSet.of(Action.Kind.KILL_PROCESS, Action.Kind.KILL_THREAD).containsAll(kinds)) {
            return "kills";
        }
        return kinds.equals(EnumSet.of(Action.Kind.TRAP)) ? "traps" : "denies";
    }

    private static String verb(Action a) {
        return switch (a.kind()) {
            case KILL_PROCESS, KILL_THREAD -> "kills";
            case TRAP -> "traps";
            default -> "denies";
        };
    }
}
