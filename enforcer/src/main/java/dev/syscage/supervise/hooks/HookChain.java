package dev.syscage.supervise.hooks;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.SyscallContext;
import dev.syscage.supervise.SyscallHook;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The hooks stacked on the supervisor's event stream, in a fixed order: built-in hooks first
 * (the policy's supervise rules), then hooks named in the policy, then hooks found with
 * {@link java.util.ServiceLoader} (see {@link #load}). For each event every hook observes it and
 * the first decision wins; afterwards every hook is told the outcome.
 *
 * <p><b>A hook that throws decides nothing.</b> Its exception is reported once per hook (later
 * ones are only counted), the chain goes on to the next hook, and when no hook decides, the
 * caller's fallback applies. So an exception never allows anything by itself, and because the
 * supervise rules come first and the first decision wins, no later hook, throwing or not, can
 * allow what a rule denied. The rules' own hook must therefore turn its own failures into a
 * deny rather than throw: if it threw, the event would go on to the later hooks and the fallback.
 * {@link VirtualMachineError}s (out of memory, ...) are not caught.
 */
public final class HookChain {

    /** Where hook failures go: a message a person can act on, and the exception for -v. */
    @FunctionalInterface
    public interface FailureListener {
        void hookFailed(String message, Throwable error);

        /** Prints the message to standard error. */
        static FailureListener stderr() {
            return (message, error) -> System.err.println("syscage: " + message);
        }
    }

    /** The decision and which hook made it; {@code hook} is null when the fallback applied. */
    public record Verdict(Decision decision, String hook) {
        public Verdict {
            Objects.requireNonNull(decision, "decision");
        }

        public boolean byFallback() {
            return hook == null;
        }
    }

    private final List<SyscallHook> hooks;
    private final List<String> names;
    private final FailureListener failures;
    private final AtomicLongArray failureCounts;

    public HookChain(List<SyscallHook> hooks, FailureListener failures) {
        this.hooks = List.copyOf(hooks);
        this.failures = Objects.requireNonNull(failures, "failures");
        this.failureCounts = new AtomicLongArray(this.hooks.size());
        List<String> n = new ArrayList<>();
        for (SyscallHook h : this.hooks) {
            n.add(nameOf(h));
        }
        this.names = List.copyOf(n);
    }

    /**
     * The chain for a run: {@code builtIn} first, then the hooks named by class in
     * {@code classNames} (in that order), then the ones {@link java.util.ServiceLoader} finds
     * through {@code loader} and that were not already named.
     *
     * @throws HookLoadException naming every hook that could not be loaded
     */
    public static HookChain load(
            List<SyscallHook> builtIn, List<String> classNames, ClassLoader loader, FailureListener failures) {
        List<SyscallHook> all = new ArrayList<>(builtIn);
        all.addAll(HookLoader.load(classNames, loader));
        return new HookChain(all, failures);
    }

    public List<SyscallHook> hooks() {
        return hooks;
    }

    /** The hooks' names, in chain order. */
    public List<String> names() {
        return names;
    }

    /** The first decision of a hook, or {@code fallback}; every hook observes the event. */
    public Decision decide(SyscallContext call, Decision fallback) {
        return verdict(call, fallback).decision();
    }

    /** Like {@link #decide}, also naming the hook that decided. */
    public Verdict verdict(SyscallContext call, Decision fallback) {
        Objects.requireNonNull(fallback, "fallback");
        Decision chosen = null;
        String by = null;
        for (int i = 0; i < hooks.size(); i++) {
            Optional<Decision> d = ask(i, call);
            if (chosen == null && d.isPresent() && d.get().kind() != Decision.Kind.INTERRUPTED) {
                chosen = d.get();
                by = names.get(i);
            }
        }
        return chosen == null ? new Verdict(fallback, null) : new Verdict(chosen, by);
    }

    /** Whether any hook's decision on this syscall may depend on its path (see {@link SyscallHook#mayDecideOnPath}). */
    public boolean mayDecideOnPath(Arch arch, int nr) {
        for (SyscallHook h : hooks) {
            if (h.mayDecideOnPath(arch, nr)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The verdict on every call of {@code nr}, when every hook decides by number alone
     * ({@link SyscallHook#decidesByNumber}): the first hook's decision by number, else
     * {@code fallback}. Empty when some hook must see each call. A hook that throws here makes
     * it empty: the calls then go through the hooks one by one.
     */
    public Optional<Verdict> verdictByNumber(Arch arch, int nr, Decision fallback) {
        Decision chosen = null;
        String by = null;
        for (int i = 0; i < hooks.size(); i++) {
            try {
                SyscallHook h = hooks.get(i);
                if (!h.decidesByNumber(arch, nr)) {
                    return Optional.empty();
                }
                Optional<Decision> d = h.decisionByNumber(arch, nr);
                if (chosen == null && d != null && d.isPresent() && d.get().kind() != Decision.Kind.INTERRUPTED) {
                    chosen = d.get();
                    by = names.get(i);
                }
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
        return Optional.of(chosen == null ? new Verdict(fallback, null) : new Verdict(chosen, by));
    }

    /** Tells every hook that {@code count} calls were decided by number (see {@link #verdictByNumber}). */
    public void decidedByNumber(Arch arch, int nr, String name, Decision decision, long count) {
        for (int i = 0; i < hooks.size(); i++) {
            try {
                hooks.get(i).onDecidedByNumber(arch, nr, name, decision, count);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                report(i, "onDecidedByNumber", name + " (" + count + " calls)", e, "the other hooks were still told");
            }
        }
    }

    /** Tells every hook the final decision and how long it took. */
    public void decided(SyscallContext call, Decision decision, long latencyNanos) {
        decided(call, decision, latencyNanos, true, true);
    }

    /** Tells the hooks that look before the answer ({@link SyscallHook#observesBeforeAnswer}) the decision made. */
    public void decidedBeforeAnswer(SyscallContext call, Decision decision, long latencyNanos) {
        decided(call, decision, latencyNanos, true, false);
    }

    /** Tells the other hooks the final decision. */
    public void decidedFinally(SyscallContext call, Decision decision, long latencyNanos) {
        decided(call, decision, latencyNanos, false, true);
    }

    private void decided(SyscallContext call, Decision decision, long latencyNanos, boolean early, boolean late) {
        for (int i = 0; i < hooks.size(); i++) {
            try {
                if (!(hooks.get(i).observesBeforeAnswer() ? early : late)) {
                    continue;
                }
                hooks.get(i).onDecided(call, decision, latencyNanos);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                failed(i, "onDecided", call, e);
            }
        }
    }

    /** How many times hooks have thrown, all hooks together. */
    public long failures() {
        long sum = 0;
        for (int i = 0; i < failureCounts.length(); i++) {
            sum += failureCounts.get(i);
        }
        return sum;
    }

    private Optional<Decision> ask(int i, SyscallContext call) {
        try {
            Optional<Decision> d = hooks.get(i).onSyscall(call);
            return d == null ? Optional.empty() : d;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            failed(i, "onSyscall", call, e);
            return Optional.empty();
        }
    }

    private void failed(int i, String phase, SyscallContext call, Throwable error) {
        String consequence = phase.equals("onSyscall")
                ? "it made no decision and the chain went on"
                : "the other hooks were still told";
        report(
                i,
                phase,
                String.format("%s (seq %d, pid %d)", describe(call), seq(call), pid(call)),
                error,
                consequence);
    }

    /** Counts a failure of hook {@code i} and reports the first one. */
    private void report(int i, String phase, String what, Throwable error, String consequence) {
        if (failureCounts.getAndIncrement(i) > 0) {
            return;
        }
        failures.hookFailed(
                String.format(
                        "hook '%s' (%s) failed in %s on %s: %s; %s;"
                                + " further failures of this hook are counted, not reported",
                        names.get(i), hooks.get(i).getClass().getName(), phase, what, error, consequence),
                error);
    }

    private static String nameOf(SyscallHook hook) {
        try {
            String n = hook.name();
            return n == null || n.isBlank() ? hook.getClass().getName() : n;
        } catch (RuntimeException e) {
            return hook.getClass().getName();
        }
    }

    private static String describe(SyscallContext call) {
        try {
            return call.name();
        } catch (RuntimeException e) {
            return "a syscall";
        }
    }

    private static long seq(SyscallContext call) {
        return call.event().seq();
    }

    private static int pid(SyscallContext call) {
        return call.event().pid();
    }
}
