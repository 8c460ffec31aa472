package dev.syscage.policy.lint;

import dev.syscage.policy.arch.Constants;
import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Policy;
import java.util.Optional;

/**
 * clone(2) takes its flags in a register, where rules can check them (CLONE_NEWUSER,
 * CLONE_UNTRACED, ...); clone3(2) takes them in a struct in memory, which BPF cannot read.
 * Rules on clone's arguments are pointless while clone3 gets through. The fix is to deny clone3
 * with ENOSYS: glibc (2.34 and later) then falls back to clone, and only on ENOSYS, so a clone3
 * denied with any other errno makes every thread and process creation fail; that is reported
 * too.
 */
final class CloneLint {
    private static final int ENOSYS = (int) Constants.errno("ENOSYS").orElse(38);

    private CloneLint() {}

    static void check(Policy policy, Diagnostics d) {
        for (ArchPolicy ap : policy.arches()) {
            Optional<Reach> clone = Reach.of(ap, "clone");
            Optional<Reach> clone3 = Reach.of(ap, "clone3");
            if (clone.isEmpty() || clone3.isEmpty()) {
                continue;
            }
            String on = PolicyLint.onArch(policy, ap.arch());
            Reach c3 = clone3.get();
            if (clone.get().hasConditions() && !c3.always(Reach::denies)) {
                Reach.Step rule = clone.get().steps().stream()
                        .filter(Reach.Step::conditional)
                        .findFirst()
                        .orElseThrow();
                d.warning(
                        rule.rule().pos(),
                        "rule checks clone's arguments, but clone3 is not denied" + on
                                + ": clone3 passes flags in memory, out of BPF's reach: deny it with errno ENOSYS so libc"
                                + " falls back to clone");
            } else if (clone.get().sometimes(Reach::runs) && c3.always(Reach::denies)) {
                wrongErrno(c3)
                        .ifPresent(s -> d.warning(
                                s.rule().pos(),
                                "policy denies clone3" + on + " with "
                                        + s.action().spelled()
                                        + ": glibc falls back to clone only on ENOSYS, so creating threads and"
                                        + " processes fails; deny clone3 with errno ENOSYS"));
            }
        }
    }

    /** A step denying clone3 with something other than errno ENOSYS, if any. */
    private static Optional<Reach.Step> wrongErrno(Reach clone3) {
        return clone3.steps().stream()
                .filter(s ->
                        s.action().kind() != Action.Kind.ERRNO || s.action().value() != ENOSYS)
                .findFirst();
    }
}
