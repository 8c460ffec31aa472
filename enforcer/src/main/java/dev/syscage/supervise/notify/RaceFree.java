package dev.syscage.supervise.notify;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.SuperviseRule;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.decode.NoMemory;
import dev.syscage.supervise.decode.SyscallDecoder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which calls notify mode makes itself when a path rule decides them, so that the kernel never
 * reads the program's path again ({@link OpenCall}, {@link PathCall}, {@link InodeCall}), and a
 * lint for path rules on the other calls that name a path: those run as the program asked
 * ({@code CONTINUE}), and the kernel reads the path again after the decision, so a program that
 * rewrites it from a second thread can get past the rule (docs/notify.md, "Which calls use
 * CONTINUE").
 */
public final class RaceFree {
    /** The architectures whose calls the supervisor makes itself (it runs on x86_64). */
    private static final List<Arch> ARCHES = List.of(Arch.X86_64, Arch.I386);

    private RaceFree() {}

    /**
     * Whether an allowed call of {@code nr} is made by the supervisor when a path rule decides
     * it. Asked of the classes that make the calls, with registers that point nowhere: each
     * recognises its calls whatever their arguments (a bad pointer becomes that call's EFAULT).
     */
    public static boolean madeBySupervisor(Arch arch, int nr) {
        SyscallEvent probe =
                new SyscallEvent(0, 0, 0, 0, arch, nr, new long[] {1, 1, 1, 1, 1, 1}, 0, SyscallEvent.Source.NOTIFY, 0);
        return OpenCall.of(probe, NoMemory.INSTANCE).isPresent()
                || PathCall.of(probe, NoMemory.INSTANCE).isPresent()
                || InodeCall.of(probe, NoMemory.INSTANCE).isPresent();
    }

    /**
     * A warning at every supervise rule whose path patterns decide calls that name a path but
     * that notify mode lets run ({@code CONTINUE}): {@code execve}, the stat and access families,
     * ... For those the rule is an audit and a guard-rail, not a boundary.
     */
    public static List<Diagnostic> lint(Policy policy) {
        List<Diagnostic> found = new ArrayList<>();
        Map<Arch, SyscallDecoder> decoders = new EnumMap<>(Arch.class);
        for (SuperviseRule rule : policy.supervision().rules()) {
            if (rule.paths().isEmpty()) {
                continue;
            }
            Set<String> weak = new TreeSet<>();
            for (ArchPolicy ap : policy.arches()) {
                if (!ARCHES.contains(ap.arch())) {
                    continue;
                }
                SyscallDecoder decoder = decoders.computeIfAbsent(ap.arch(), SyscallDecoder::new);
                for (int nr : rule.syscalls().numbers(ap.arch())) {
                    if (decoder.namesPath(nr) && !madeBySupervisor(ap.arch(), nr)) {
                        weak.add(decoder.name(nr));
                    }
                }
            }
            if (!weak.isEmpty()) {
                found.add(Diagnostic.warning(rule.pos(), message(rule, List.copyOf(weak))));
            }
        }
        return found;
    }

    private static String message(SuperviseRule rule, List<String> names) {
        String listed = names.size() <= 6
                ? String.join(", ", names)
                : String.join(", ", names.subList(0, 6)) + " and " + (names.size() - 6) + " more";
        return "supervise rule #" + (rule.index() + 1) + " decides " + listed + " by path, which notify mode lets"
                + " run as the program asked (CONTINUE): the kernel reads the path again after the decision, so a"
                + " program that rewrites it from another thread can get past the rule. For these calls the rule is an"
                + " audit and a guard-rail; where that is not enough, deny them in the filter (docs/notify.md)";
    }
}
