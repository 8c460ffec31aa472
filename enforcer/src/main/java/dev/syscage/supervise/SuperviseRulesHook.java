package dev.syscage.supervise;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.model.SuperviseDecision;
import dev.syscage.policy.model.SuperviseRule;
import dev.syscage.policy.model.Supervision;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The policy's {@code supervise.rules} as the first hook of the chain. It decides only when a
 * rule matches (the section's default is the chain's fallback, so later hooks may decide what
 * no rule covers). If evaluating the rules fails, the call is denied with EPERM: an error must
 * never let through what a rule would deny.
 */
public final class SuperviseRulesHook implements SyscallHook {
    /** The hook's name, as audit records give it. */
    public static final String NAME = "supervise-rules";

    private final Supervision rules;
    private final Map<Arch, Map<Integer, Boolean>> pathRules = new ConcurrentHashMap<>();

    public SuperviseRulesHook(Supervision rules) {
        this.rules = rules;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Decision> onSyscall(SyscallContext call) {
        try {
            // the path is read from the target only when a rule with path patterns covers the call;
            // a call with two paths (rename, link) must pass the rules with each
            boolean paths = mayDecideOnPath(call.arch(), call.event().nr());
            Supervision.Verdict v = rules.decide(
                    call.arch(),
                    call.event().nr(),
                    call.event().args(),
                    paths ? call.decoded().resolvedPath() : Optional.empty(),
                    paths ? call.decoded().otherResolvedPaths() : List.of());
            if (v.isDefault()) {
                return Optional.empty();
            }
            return Optional.of(toDecision(v.decision(), v.rulePos().fileLine()));
        } catch (RuntimeException e) {
            return Optional.of(Decision.errno(1, "error in supervise rules: " + e));
        }
    }

    /** True when a rule with path patterns covers the syscall: only then can the path change the answer. */
    @Override
    public boolean mayDecideOnPath(Arch arch, int nr) {
        return pathRules.computeIfAbsent(arch, a -> new ConcurrentHashMap<>()).computeIfAbsent(nr, n -> {
            for (SuperviseRule r : rules.rules()) {
                if (!r.paths().isEmpty() && r.syscalls().condition(arch, n) != null) {
                    return true;
                }
            }
            return false;
        });
    }

    /** True when neither the arguments nor the path of a call of {@code nr} can change what the rules say. */
    @Override
    public boolean decidesByNumber(Arch arch, int nr) {
        return rules.verdictByNumber(arch, nr).isPresent();
    }

    @Override
    public Optional<Decision> decisionByNumber(Arch arch, int nr) {
        return rules.verdictByNumber(arch, nr)
                .filter(v -> !v.isDefault())
                .map(v -> toDecision(v.decision(), v.rulePos().fileLine()));
    }

    /** The section's default as a decision ("default" is how the audit log knows it). */
    public static Decision fallback(Supervision rules) {
        return toDecision(rules.defaultDecision(), "default");
    }

    static Decision toDecision(SuperviseDecision d, String rule) {
        return switch (d.kind()) {
            case ALLOW -> Decision.allow(rule);
            case ERRNO -> Decision.errno(d.errno(), rule);
            case KILL -> Decision.kill(rule);
        };
    }
}
