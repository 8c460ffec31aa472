package dev.syscage.policy.cyclefixture.a;

import dev.syscage.policy.cyclefixture.b.Back;

/** Half of a package cycle for {@code PackageCyclesTest}: a uses b. */
public final class There {
    private There() {}

    public static int next() {
        return Back.VALUE.hashCode();
    }
}
