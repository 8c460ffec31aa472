package dev.syscage.supervise.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.supervise.Decision;
import dev.syscage.supervise.SyscallContext;
import dev.syscage.supervise.SyscallHook;
import dev.syscage.supervise.audit.FakeCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Order, first decision wins, every hook observes, and a throwing hook decides nothing. */
class HookChainTest {
    private static final Decision FALLBACK = Decision.allow("default");
    private static final Decision DENY = Decision.errno(13, "web.yaml:12");

    private final List<String> seen = new ArrayList<>();
    private final List<String> reported = new ArrayList<>();

    /** A hook that notes each call in {@link #seen} and answers with {@code answer}. */
    private SyscallHook hook(String name, Function<SyscallContext, Optional<Decision>> answer) {
        return new SyscallHook() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Optional<Decision> onSyscall(SyscallContext call) {
                seen.add(name + ".onSyscall");
                return answer.apply(call);
            }

            @Override
            public void onDecided(SyscallContext call, Decision decision, long latencyNanos) {
                seen.add(name + ".onDecided " + decision.tag() + " " + latencyNanos);
            }
        };
    }

    private SyscallHook thrower(String name) {
        return hook(name, c -> {
            throw new IllegalStateException("boom in " + name);
        });
    }

    private HookChain chain(SyscallHook... hooks) {
        return new HookChain(List.of(hooks), (message, error) -> reported.add(message));
    }

    @Test
    void theFirstDecisionWinsAndEveryHookObserves() {
        Decision allow = Decision.allow("b");
        HookChain c = chain(
                hook("a", x -> Optional.empty()),
                hook("b", x -> Optional.of(allow)),
                hook("c", x -> Optional.of(DENY)));
        HookChain.Verdict v = c.verdict(FakeCall.openat(1, 10, 10), FALLBACK);
        assertSame(allow, v.decision());
        assertEquals("b", v.hook());
        assertEquals(List.of("a.onSyscall", "b.onSyscall", "c.onSyscall"), seen);
    }

    @Test
    void withoutADecisionTheFallbackApplies() {
        HookChain c = chain(hook("a", x -> Optional.empty()), hook("nulls", x -> null));
        HookChain.Verdict v = c.verdict(FakeCall.openat(1, 10, 10), FALLBACK);
        assertSame(FALLBACK, v.decision());
        assertNull(v.hook());
        assertTrue(v.byFallback());
        assertSame(FALLBACK, chain().decide(FakeCall.openat(1, 10, 10), FALLBACK));
    }

    @Test
    void aThrowingHookDecidesNothingAndIsReportedOnce() {
        HookChain c = chain(thrower("buggy"), hook("b", x -> Optional.of(DENY)));
        assertSame(DENY, c.decide(FakeCall.openat(1, 10, 11), FALLBACK));
        assertSame(DENY, c.decide(FakeCall.openat(2, 10, 11), FALLBACK));
        assertEquals(List.of("buggy.onSyscall", "b.onSyscall", "buggy.onSyscall", "b.onSyscall"), seen);
        assertEquals(2, c.failures());
        assertEquals(
                List.of("hook 'buggy' (" + HookChainTest.class.getName() + "$1) failed in onSyscall on openat"
                        + " (seq 1, pid 10): java.lang.IllegalStateException: boom in buggy; it made no decision and the"
                        + " chain went on; further failures of this hook are counted, not reported"),
                reported);
    }

    @Test
    void anExceptionNeverAllowsWhatARuleDenied() {
        // the rules come first; a later hook that throws (or allows) cannot undo their deny
        HookChain c = chain(
                hook("rules", x -> Optional.of(DENY)),
                thrower("buggy"),
                hook("lenient", x -> Optional.of(Decision.allow("lenient"))));
        HookChain.Verdict v = c.verdict(FakeCall.openat(1, 10, 10), FALLBACK);
        assertSame(DENY, v.decision());
        assertEquals("rules", v.hook());
        // and when every hook throws, the fallback, not an allow, decides
        Decision denyByDefault = Decision.errno(1, "default");
        assertSame(denyByDefault, chain(thrower("x"), thrower("y")).decide(FakeCall.openat(1, 1, 1), denyByDefault));
    }

    @Test
    void everyHookIsToldTheOutcomeEvenAfterOneThrows() {
        SyscallHook badObserver = new SyscallHook() {
            @Override
            public String name() {
                return "bad-observer";
            }

            @Override
            public void onDecided(SyscallContext call, Decision decision, long latencyNanos) {
                throw new UnsupportedOperationException("nope");
            }
        };
        HookChain c = chain(hook("a", x -> Optional.empty()), badObserver, hook("b", x -> Optional.empty()));
        c.decided(FakeCall.openat(3, 10, 10), DENY, 1500);
        assertEquals(List.of("a.onDecided errno 1500", "b.onDecided errno 1500"), seen);
        assertEquals(1, reported.size());
        assertTrue(reported.get(0).startsWith("hook 'bad-observer' ("), reported.get(0));
        assertTrue(
                reported.get(0)
                        .endsWith("failed in onDecided on openat (seq 3, pid 10):"
                                + " java.lang.UnsupportedOperationException: nope; the other hooks were still told;"
                                + " further failures of this hook are counted, not reported"),
                reported.get(0));
    }

    @Test
    void errorsAreCaughtButTheVirtualMachineIsNot() {
        HookChain c = chain(hook("assert", x -> {
            throw new AssertionError("linkage or assertion");
        }));
        assertSame(FALLBACK, c.decide(FakeCall.openat(1, 1, 1), FALLBACK));
        HookChain oom = chain(hook("oom", x -> {
            throw new OutOfMemoryError("test");
        }));
        assertThrows(OutOfMemoryError.class, () -> oom.decide(FakeCall.openat(1, 1, 1), FALLBACK));
    }

    @Test
    void aHookWithoutANameIsCalledByItsClass() {
        SyscallHook anonymous = hook(null, x -> Optional.of(DENY));
        HookChain c = chain(anonymous);
        assertEquals(List.of(anonymous.getClass().getName()), c.names());
        assertEquals(
                anonymous.getClass().getName(),
                c.verdict(FakeCall.openat(1, 1, 1), FALLBACK).hook());
    }
}
