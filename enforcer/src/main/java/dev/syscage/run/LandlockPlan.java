package dev.syscage.run;

import dev.syscage.nativeaccess.Landlock;
import dev.syscage.policy.landlock.Abi;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.LandlockRuleset.Compat;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a run does with its policy's Landlock ruleset on this kernel: the ruleset cut to the
 * kernel's ABI (what the launcher applies and the supervisor's own calls run inside), the
 * warnings to print, or the reason to refuse the run when the policy requires what the kernel
 * cannot enforce. Made before anything starts, so a refusal leaves nothing half-applied.
 *
 * <p>{@code -Dsyscage.landlock.abi=N} plays a kernel with ABI N (never more than the real one):
 * for tests and benchmarks of older kernels' behaviour on this one.
 *
 * @param ruleset  what the launcher gets ({@link LandlockRuleset#NONE}: no {@code --landlock})
 * @param abi      the kernel's ABI (as played)
 * @param dropped  the rights and scopes left out ({@code fs.ioctl_dev}, ...)
 * @param warnings lines for stderr, each without the "syscage: warning: " prefix
 */
public record LandlockPlan(LandlockRuleset ruleset, Abi abi, List<String> dropped, List<String> warnings) {
    public static final String ABI_PROPERTY = "syscage.landlock.abi";

    public LandlockPlan {
        dropped = List.copyOf(dropped);
        warnings = List.copyOf(warnings);
    }

    /** Why a run is refused: the policy requires Landlock the kernel does not have. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    /** This kernel's ABI, or the lower one {@value #ABI_PROPERTY} plays. */
    public static Abi kernelAbi() {
        int real = Landlock.instance().abi();
        String played = System.getProperty(ABI_PROPERTY);
        if (played != null) {
            try {
                return new Abi(Math.min(real, Integer.parseInt(played.trim())));
            } catch (NumberFormatException e) {
                throw new Refused("-D" + ABI_PROPERTY + "=" + played + " is not an ABI version (a number, 0 for none)");
            }
        }
        return new Abi(real);
    }

    /**
     * The plan for {@code wanted} on a kernel of {@code abi}.
     *
     * @throws Refused when {@code wanted} says {@code landlock: required} (the default) and the kernel
     *     cannot enforce all of it
     */
    public static LandlockPlan of(LandlockRuleset wanted, Abi abi) {
        if (wanted.isEmpty()) {
            return new LandlockPlan(LandlockRuleset.NONE, abi, List.of(), List.of());
        }
        LandlockRuleset.Negotiated n = wanted.negotiate(abi);
        if (n.dropped().isEmpty()) {
            return new LandlockPlan(n.ruleset(), abi, List.of(), List.of());
        }
        String have = abi.available()
                ? "this kernel's Landlock is ABI " + abi.version()
                : "this kernel has no Landlock (Linux 5.13+ with landlock in the lsm= list)";
        String what = String.join(", ", n.dropped());
        if (wanted.compat() == Compat.REQUIRED) {
            throw new Refused("the policy's Landlock sections need ABI " + wanted.abiNeeded() + ", and " + have
                    + ": it cannot enforce " + what + "; nothing was run (add 'landlock: best-effort' to the policy "
                    + "to run without them, with a warning)");
        }
        List<String> warnings = new ArrayList<>();
        if (!abi.available()) {
            warnings.add(have + ": the policy's file-system, network and scope rules are NOT enforced (" + what
                    + "); the program runs under its seccomp filter alone");
        } else {
            warnings.add(have + ", which cannot enforce " + what + " (the policy's ABI " + wanted.abiNeeded()
                    + "); left out, as 'landlock: best-effort' allows");
        }
        return new LandlockPlan(n.ruleset().isEmpty() ? LandlockRuleset.NONE : n.ruleset(), abi, n.dropped(), warnings);
    }

    /**
     * Whether a run of {@code wanted} on this kernel carries its filesystem section with the
     * supervisor instead ({@link dev.syscage.policy.fallback.SupervisorFallback}): the kernel has no
     * Landlock at all, and the policy has a filesystem section and said {@code best-effort} (a
     * policy that requires Landlock was refused by {@link #of}). Never where the kernel has Landlock.
     */
    public boolean needsSupervisorFallback(LandlockRuleset wanted) {
        return !abi.available() && wanted.handledFs() != 0 && wanted.compat() == Compat.BEST_EFFORT;
    }

    /** The warnings of a run with the supervisor fallback, instead of {@link #warnings}: what it does and what it loses. */
    public static List<String> fallbackWarnings(List<String> notCarried) {
        List<String> out = new ArrayList<>();
        out.add("this kernel has no Landlock: the filesystem section is enforced by the supervisor's path rules instead"
                + " (slower; see docs/policy.md)");
        if (!notCarried.isEmpty()) {
            out.add("without Landlock these are NOT enforced: " + String.join(", ", notCarried));
        }
        return out;
    }

    /** One line for {@code --dry-run}: what this kernel will enforce of the policy's ruleset. */
    public Optional<String> summary() {
        if (ruleset.isEmpty() && dropped.isEmpty()) {
            return Optional.empty();
        }
        if (dropped.isEmpty()) {
            return Optional.of("landlock on this kernel: ABI " + abi.version() + ", all of it enforced");
        }
        return Optional.of(
                "landlock on this kernel: ABI " + abi.version() + ", left out: " + String.join(", ", dropped));
    }
}
