package dev.syscage.cli;

import dev.syscage.policy.model.Policy;
import dev.syscage.policy.rewrite.RunRewrites;
import dev.syscage.policy.rewrite.SupervisionMode;
import dev.syscage.run.LandlockPlan;
import dev.syscage.run.NotifySupport;
import dev.syscage.run.PtraceSupport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Option;

/**
 * The options that change the policy a run installs ({@link RunRewrites}): the same for
 * {@code run} and for every command that shows a compiled program ({@code compile},
 * {@code check}, {@code disasm}), so that these show what {@code run} installs with them.
 */
public final class RewriteOptions {
    @Option(
            names = "--mode",
            paramLabel = "MODE",
            description = "How trace/notify rules reach the supervisor: trace (ptrace) or notify (seccomp user "
                    + "notification; the program stays free for strace and gdb, but a caught signal can make a routed call "
                    + "fail with EINTR). Default: notify if the policy has notify actions; for trace actions, notify when "
                    + "its supervisor can deny (a deny rule or default, or a hook) and trace when it only watches, each "
                    + "where it can run (docs/notify.md#mode-selection).")
    String mode;

    @Option(
            names = "--complain",
            description = "Deny nothing: every call the policy would deny (errno, kill, trap, its supervise rules, its "
                    + "filesystem rules) goes to the supervisor, which lets it run and records it in run's --log with the "
                    + "decision it would have had; Landlock and isolate: namespaces are not applied "
                    + "(docs/learn.md#complain-mode).")
    boolean complain;

    /** {@code --mode}, parsed; empty when not given. */
    Optional<SupervisionMode> mode() {
        return parseMode(mode, "");
    }

    /** A {@code --mode} word, parsed; empty for null; bad input (with {@code more} after the choices) otherwise. */
    static Optional<SupervisionMode> parseMode(String word, String more) {
        return word == null
                ? Optional.empty()
                : Optional.of(SupervisionMode.parse(word)
                        .orElseThrow(() -> UserException.badInput(
                                "unknown --mode '" + word + "' (choose trace or notify)" + more)));
    }

    /** {@code choices} with this machine's answers for the mode stage: whether syscage can trace, and notify. */
    static RunRewrites.Choices withModeAnswers(RunRewrites.Choices choices) {
        return choices.withPtraceUsable(() -> PtraceSupport.ofThisProcess().usable())
                .withNotifySupported(() -> NotifySupport.ofThisKernel().available());
    }

    /**
     * The run's choices with this machine's answers (user notification, Landlock); whether an
     * unsupervised run can make read-only mounts is {@code mountsPossible}'s answer.
     */
    RunRewrites.Choices choices(BooleanSupplier mountsPossible) {
        return withModeAnswers(RunRewrites.Choices.of(mode(), complain))
                .withLandlockAvailable(RewriteOptions::landlockAvailable)
                .withMountsPossible(mountsPossible)
                .withRealPath(RewriteOptions::realPath);
    }

    /**
     * For the commands that show what {@code run} installs: the stages with this machine's
     * answers, for a contained run that can make the {@code isolate:} section's mounts (where
     * it cannot, {@code run --dry-run} says so and shows the program with its fallback rules);
     * what complain mode does not check is said on {@code err}.
     */
    RunRewrites.Rewritten apply(Policy loaded, PrintWriter err) {
        RunRewrites.Rewritten r = RunRewrites.apply(loaded, choices(() -> true));
        r.complain()
                .ifPresent(c -> c.notChecked()
                        .forEach(n -> err.println("syscage: warning: complain mode does not check " + n)));
        return r;
    }

    /** Whether this kernel (or the one {@code -Dsyscage.landlock.abi} plays) has Landlock. */
    static boolean landlockAvailable() {
        try {
            return LandlockPlan.kernelAbi().available();
        } catch (LandlockPlan.Refused e) {
            throw UserException.badInput(e.getMessage());
        } catch (dev.syscage.nativeaccess.Landlock.Failure e) {
            throw new UserException(ExitCodes.FAILURE, "cannot ask the kernel for its Landlock ABI: " + e.getMessage());
        }
    }

    /** Where a Landlock rule's path leads (the kernel's rule is on the file found); itself when it leads nowhere. */
    static String realPath(String path) {
        try {
            return Path.of(path).toRealPath().toString();
        } catch (java.io.IOException | RuntimeException e) {
            return path;
        }
    }
}
