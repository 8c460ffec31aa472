package dev.syscage.learn;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Policy;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What {@code learn --merge} keeps of an existing profile: the syscalls its rules allow for
 * every argument on the native architecture, i.e. every clause up to and including the first
 * unconditional one allows. Syscalls that only conditional rules allow, and everything the
 * profile's {@code default} decides, are not carried over ({@link #conditional} names the former
 * so the command can say so). Its Landlock ruleset (its own sections merged with those of the files
 * it includes) is kept whole: the learned profile carries its file-system rules over and scopes
 * only what it scopes too (a profile without Landlock sections scopes nothing and leaves the scope
 * to the run).
 */
public record MergeBase(
        String source, SortedSet<String> allowed, SortedSet<String> conditional, LandlockRuleset landlock) {

    public static MergeBase of(String source, Policy existing) {
        ArchPolicy p = existing.forArch(Arch.nativeArch())
                .orElseThrow(() -> new IllegalArgumentException(source + " does not list this machine's architecture ("
                        + Arch.nativeArch() + "); nothing to merge"));
        SortedSet<String> allowed = new TreeSet<>();
        SortedSet<String> conditional = new TreeSet<>();
        for (Map.Entry<Integer, List<Clause>> e : p.clauses().entrySet()) {
            p.table().byNumber(e.getKey()).ifPresent(s -> {
                switch (classify(e.getValue())) {
                    case ALWAYS -> allowed.add(s.name());
                    case SOMETIMES -> conditional.add(s.name());
                    case NEVER -> {}
                }
            });
        }
        return new MergeBase(source, allowed, conditional, existing.landlock());
    }

    private enum Allowed {
        ALWAYS,
        SOMETIMES,
        NEVER
    }

    private static Allowed classify(List<Clause> clauses) {
        boolean someAllow = false;
        for (Clause c : clauses) {
            boolean allows = c.action().kind() == Action.Kind.ALLOW;
            if (c.unconditional()) {
                return allows && !someNonAllowBefore(clauses, c)
                        ? Allowed.ALWAYS
                        : someAllow || allows ? Allowed.SOMETIMES : Allowed.NEVER;
            }
            someAllow |= allows;
        }
        return someAllow ? Allowed.SOMETIMES : Allowed.NEVER;
    }

    private static boolean someNonAllowBefore(List<Clause> clauses, Clause last) {
        for (Clause c : clauses) {
            if (c == last) {
                return false;
            }
            if (c.action().kind() != Action.Kind.ALLOW) {
                return true;
            }
        }
        return false;
    }
}
