package dev.syscage.nativeaccess;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.syscage.policy.landlock.Abi;
import dev.syscage.policy.landlock.FsAccess;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.LandlockRuleset.Compat;
import dev.syscage.policy.landlock.LandlockRuleset.PathRule;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** This kernel's Landlock for tests: its ABI (a test is skipped where there is none), and rulesets cut to it. */
public final class KernelLandlock {
    private KernelLandlock() {}

    /** This kernel's ABI; the calling test is skipped where there is no Landlock. */
    public static int abiOrSkip() {
        int abi = Landlock.instance().abi();
        assumeTrue(abi >= 1, "this kernel has no Landlock (landlock_create_ruleset reports no ABI version)");
        return abi;
    }

    /** Every file-system right this kernel has handled, and granted beneath {@code rules} only. */
    public static LandlockRuleset allBeneath(Path... rules) {
        return cut(new LandlockRuleset(
                FsAccess.ALL,
                0,
                0,
                Arrays.stream(rules)
                        .map(p -> new PathRule(p.toString(), FsAccess.ALL, false, null))
                        .toList(),
                List.of(),
                Compat.BEST_EFFORT));
    }

    /** {@code r} as this kernel can enforce it. */
    public static LandlockRuleset cut(LandlockRuleset r) {
        return r.negotiate(new Abi(abiOrSkip())).ruleset();
    }
}
