package dev.syscage.policy.rewrite;

import dev.syscage.policy.complain.Complain;
import dev.syscage.policy.fallback.MountFallback;
import dev.syscage.policy.fallback.SupervisorFallback;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.model.Policy;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * The one way from a loaded policy to the policy a run compiles and installs, for every command
 * that compiles ({@code run}, {@code learn}, {@code compile}, {@code check}, {@code disasm}), so
 * that what they show is what {@code run} installs. The stages, in order:
 * <ol>
 *   <li>complain, first half ({@link Complain#prepare}): no Landlock domain, no namespaces;
 *   <li>Landlock fallback ({@link SupervisorFallback}): a kernel without Landlock, a
 *       {@code best-effort} filesystem section, carried by the filter and the supervisor;
 *   <li>mount fallback ({@link MountFallback}): read-only mounts the run does not make (a
 *       supervised run never does) become supervisor rules;
 *   <li>complain, second half ({@link Complain#apply}): every denial goes to the supervisor;
 *   <li>mode ({@link SupervisionMode#select}, {@link SupervisionMode#retarget}): every routing
 *       action becomes the chosen mode's;
 *   <li>watch ({@link ViewWatch}, notify mode): the calls that change a thread's view go to the
 *       supervisor too.
 * </ol>
 * What only the machine knows (is there user notification, Landlock, can the run make mounts)
 * the caller answers in {@link Choices}; each answer is asked only when a stage needs it.
 */
public final class RunRewrites {
    private RunRewrites() {}

    /**
     * A run's choices and the machine's answers.
     *
     * @param mode              {@code --mode}, or empty: the policy's own ({@link SupervisionMode#select})
     * @param complain          {@code --complain}
     * @param watch             whether notify mode watches the calls that change a thread's view
     *                          ({@link ViewWatch}); a run that remembers nothing between calls does not
     * @param hooks             whether the run adds hooks (which may deny) to the policy's supervise rules
     * @param ptraceUsable      whether this process can trace the program (for a trace-only policy)
     * @param notifySupported   whether the kernel has seccomp user notification (asked where ptrace is not usable)
     * @param landlockAvailable whether the kernel has Landlock at all
     * @param mountsPossible    whether an unsupervised run can make read-only mounts (contained, with
     *                          namespaces)
     * @param realPath          where a rule's path leads, for the rules the fallbacks make
     */
    public record Choices(
            Optional<SupervisionMode> mode,
            boolean complain,
            boolean watch,
            boolean hooks,
            BooleanSupplier ptraceUsable,
            BooleanSupplier notifySupported,
            BooleanSupplier landlockAvailable,
            BooleanSupplier mountsPossible,
            UnaryOperator<String> realPath) {
        /** The choices of a run with {@code mode} and {@code complain}, on a machine that has everything. */
        public static Choices of(Optional<SupervisionMode> mode, boolean complain) {
            return new Choices(
                    mode,
                    complain,
                    true,
                    false,
                    () -> true,
                    () -> true,
                    () -> true,
                    () -> true,
                    UnaryOperator.identity());
        }

        public Choices withHooks(boolean any) {
            return new Choices(
                    mode,
                    complain,
                    watch,
                    any,
                    ptraceUsable,
                    notifySupported,
                    landlockAvailable,
                    mountsPossible,
                    realPath);
        }

        public Choices withPtraceUsable(BooleanSupplier answer) {
            return new Choices(
                    mode, complain, watch, hooks, answer, notifySupported, landlockAvailable, mountsPossible, realPath);
        }

        public Choices withNotifySupported(BooleanSupplier answer) {
            return new Choices(
                    mode, complain, watch, hooks, ptraceUsable, answer, landlockAvailable, mountsPossible, realPath);
        }

        public Choices withLandlockAvailable(BooleanSupplier answer) {
            return new Choices(
                    mode, complain, watch, hooks, ptraceUsable, notifySupported, answer, mountsPossible, realPath);
        }

        public Choices withMountsPossible(BooleanSupplier answer) {
            return new Choices(
                    mode, complain, watch, hooks, ptraceUsable, notifySupported, landlockAvailable, answer, realPath);
        }

        public Choices withRealPath(UnaryOperator<String> how) {
            return new Choices(
                    mode,
                    complain,
                    watch,
                    hooks,
                    ptraceUsable,
                    notifySupported,
                    landlockAvailable,
                    mountsPossible,
                    how);
        }

        public Choices withWatch(boolean on) {
            return new Choices(
                    mode,
                    complain,
                    on,
                    hooks,
                    ptraceUsable,
                    notifySupported,
                    landlockAvailable,
                    mountsPossible,
                    realPath);
        }
    }

    /**
     * What the stages made of a policy.
     *
     * @param prepared         the policy after complain's first half (the loaded one without {@code --complain})
     * @param complain         complain's first half, with {@code --complain}
     * @param landlockFallback the Landlock fallback, where it applied
     * @param enforced         the policy an enforcing run installs: after the fallbacks, before complain's second half
     * @param policy           the policy as run, routing actions the mode's (for lints, the summary, the supervisor)
     * @param mode             the supervision mode; empty when nothing goes to the supervisor
     * @param watch            notify mode's watch ({@link ViewWatch#NONE} otherwise)
     */
    public record Rewritten(
            Policy prepared,
            Optional<Complain.Prepared> complain,
            Optional<SupervisorFallback.Result> landlockFallback,
            Policy enforced,
            Policy policy,
            Optional<SupervisionMode> mode,
            ViewWatch watch) {
        /** The policy the filter is compiled from: {@link #policy} with the watched calls routed. */
        public Policy filter() {
            return watch.apply(policy);
        }

        public boolean supervised() {
            return mode.isPresent();
        }
    }

    /** Runs every stage on {@code loaded}. */
    public static Rewritten apply(Policy loaded, Choices c) {
        Optional<Complain.Prepared> complain =
                c.complain() ? Optional.of(Complain.prepare(loaded, c.realPath())) : Optional.empty();
        Policy prepared = complain.map(Complain.Prepared::policy).orElse(loaded);
        Optional<SupervisorFallback.Result> landlockFallback = needsLandlockFallback(prepared.landlock(), c)
                ? Optional.of(SupervisorFallback.apply(prepared, c.realPath()))
                : Optional.empty();
        Policy landlocked =
                landlockFallback.map(SupervisorFallback.Result::policy).orElse(prepared);
        boolean supervised = mode(routed(landlocked, c), c).isPresent();
        Policy enforced = needsMountFallback(landlocked, supervised, c)
                ? MountFallback.apply(landlocked, c.realPath()).policy()
                : landlocked;
        Policy routed = routed(enforced, c);
        Optional<SupervisionMode> mode = mode(routed, c);
        Policy policy = mode.map(m -> m.retarget(routed)).orElse(routed);
        ViewWatch watch =
                c.watch() && mode.equals(Optional.of(SupervisionMode.NOTIFY)) ? ViewWatch.of(policy) : ViewWatch.NONE;
        return new Rewritten(prepared, complain, landlockFallback, enforced, policy, mode, watch);
    }

    /** A kernel without Landlock and a filesystem section that lets the run go on without it. */
    private static boolean needsLandlockFallback(LandlockRuleset wanted, Choices c) {
        return wanted.handledFs() != 0
                && wanted.compat() == LandlockRuleset.Compat.BEST_EFFORT
                && !c.landlockAvailable().getAsBoolean();
    }

    /** Read-only mounts the run does not make: a supervised run keeps syscage's mounts, others may not have them. */
    private static boolean needsMountFallback(Policy policy, boolean supervised, Choices c) {
        return !policy.isolation().readOnly().isEmpty()
                && (supervised || !c.mountsPossible().getAsBoolean());
    }

    private static Policy routed(Policy policy, Choices c) {
        return c.complain() ? Complain.apply(policy) : policy;
    }

    private static Optional<SupervisionMode> mode(Policy policy, Choices c) {
        return SupervisionMode.select(
                policy, c.mode(), SupervisionMode.enforces(policy, c.hooks()), c.ptraceUsable(), c.notifySupported());
    }
}
