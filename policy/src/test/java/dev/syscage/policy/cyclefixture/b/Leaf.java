package dev.syscage.policy.cyclefixture.b;

/** A class of package b that uses nothing, for {@code PackageCyclesTest}. */
public final class Leaf {
    private Leaf() {}

    public static int one() {
        return 1;
    }
}
