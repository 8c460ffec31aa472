package dev.syscage.policy.model;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.path.LexicalPath;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A policy's {@code supervise:} section: how the supervisor decides the syscalls the filter
 * sends it ({@code trace} or {@code notify} actions), with rules that can look at what BPF
 * cannot, the call's resolved path. Rules are tried in order and the first that matches
 * decides; a call no rule matches gets {@code defaultDecision}. {@code pos} is where the
 * section starts (null for {@link #NONE}, the section of a policy that has none).
 * {@code hooks} names SyscallHook classes the supervisor stacks after the rules.
 */
public record Supervision(
        LogLevel log, List<SuperviseRule> rules, SuperviseDecision defaultDecision, SourcePos pos, List<String> hooks) {

    /** No section: every call the supervisor gets is allowed and logged. */
    public static final Supervision NONE = new Supervision(LogLevel.ALL, List.of(), SuperviseDecision.ALLOW, null);

    public Supervision {
        rules = List.copyOf(rules);
        hooks = List.copyOf(hooks);
    }

    /** A section without hooks. */
    public Supervision(LogLevel log, List<SuperviseRule> rules, SuperviseDecision defaultDecision, SourcePos pos) {
        this(log, rules, defaultDecision, pos, List.of());
    }

    /**
     * Whether the supervisor can only let calls run: no rule and no default denies, and no hook
     * (which may) is named. Such a section audits; it enforces nothing.
     */
    public boolean onlyAllows() {
        return hooks.isEmpty()
                && !defaultDecision.denies()
                && rules.stream().noneMatch(r -> r.decision().denies());
    }

    /**
     * The verdict for one call. {@code args} are the six raw argument registers;
     * {@code resolvedPath} is the absolute path the call names (see {@link LexicalPath#resolve}),
     * or empty when it names none or it could not be read. A path that is not normalized yet is
     * normalized here, so "/usr/../etc/shadow" can never pass for something under /usr.
     *
     * @throws IllegalArgumentException if {@code resolvedPath} is not absolute
     */
    public Verdict decide(Arch arch, int nr, long[] args, Optional<String> resolvedPath) {
        Optional<String> path = resolvedPath;
        if (path.isPresent() && !LexicalPath.isNormalized(path.get())) {
            path = Optional.of(LexicalPath.normalize(path.get()));
        }
        for (SuperviseRule r : rules) {
            if (r.matches(arch, nr, args, path)) {
                return new Verdict(r.decision(), r.pos(), r.index());
            }
        }
        return new Verdict(defaultDecision, null, -1);
    }

    /**
     * The verdict for a call that names several paths (rename, link: where it comes from and
     * where it goes): the rules are asked about each, and the strictest answer wins (kill over
     * errno over allow; the first path's among equals). A path rule that allows the source must
     * not let the destination go anywhere.
     */
    public Verdict decide(
            Arch arch, int nr, long[] args, Optional<String> resolvedPath, List<Optional<String>> otherPaths) {
        Verdict v = decide(arch, nr, args, resolvedPath);
        for (Optional<String> other : otherPaths) {
            Verdict w = decide(arch, nr, args, other);
            if (severity(w.decision()) > severity(v.decision())) {
                v = w;
            }
        }
        return v;
    }

    private static int severity(SuperviseDecision d) {
        return switch (d.kind()) {
            case ALLOW -> 0;
            case ERRNO -> 1;
            case KILL -> 2;
        };
    }

    /**
     * The verdict for every call of syscall {@code nr}, when neither its arguments nor its path
     * can change it: the first rule that covers the syscall has no condition (or one that always
     * holds) and no path patterns, or no rule covers it and {@code default} decides. Empty when
     * some call of it could be decided otherwise; a rule whose condition never holds is skipped,
     * as {@link #decide} would.
     */
    public Optional<Verdict> verdictByNumber(Arch arch, int nr) {
        for (SuperviseRule r : rules) {
            Cond c = r.syscalls().condition(arch, nr);
            if (c == null || c.equals(Cond.FALSE)) {
                continue;
            }
            if (!c.equals(Cond.TRUE) || !r.paths().isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Verdict(r.decision(), r.pos(), r.index()));
        }
        return Optional.of(new Verdict(defaultDecision, null, -1));
    }

    /** Which audit records the supervisor writes. */
    public enum LogLevel {
        /** Every call the supervisor gets. */
        ALL,
        /** Calls a supervise rule (or, in the audit log, a hook) decided, not those left to {@code default}. */
        DECISIONS,
        /** Calls that were denied (errno or kill), by a rule or by {@code default}. */
        DENIED,
        /** None. */
        NONE;

        /** The word used in policies. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<LogLevel> byWord(String word) {
            for (LogLevel l : values()) {
                if (l.word().equals(word)) {
                    return Optional.of(l);
                }
            }
            return Optional.empty();
        }

        /** Whether a call with this verdict gets an audit record. */
        public boolean records(Verdict v) {
            return records(v.isDefault(), v.decision().denies());
        }

        /**
         * Whether a call gets an audit record: {@code byDefault} when no rule (nor, in the audit
         * log, a hook) decided it, {@code denied} when it was failed or killed. The one definition
         * of the levels; the audit log asks it with its own decision type.
         */
        public boolean records(boolean byDefault, boolean denied) {
            return switch (this) {
                case ALL -> true;
                case DECISIONS -> !byDefault;
                case DENIED -> denied;
                case NONE -> false;
            };
        }
    }

    /**
     * The outcome for one call: the decision and the rule that made it ({@code rulePos} null and
     * {@code ruleIndex} -1 when no rule matched and {@code default} decided).
     */
    public record Verdict(SuperviseDecision decision, SourcePos rulePos, int ruleIndex) {
        public boolean isDefault() {
            return ruleIndex < 0;
        }

        /** {@code supervise rule #2 (web.yaml:14)} or {@code supervise default}. */
        public String describe() {
            if (isDefault()) {
                return "supervise default";
            }
            return "supervise rule #" + (ruleIndex + 1) + (rulePos == null ? "" : " (" + rulePos.fileLine() + ")");
        }
    }
}
