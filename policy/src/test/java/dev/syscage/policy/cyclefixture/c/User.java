package dev.syscage.policy.cyclefixture.c;

import dev.syscage.policy.cyclefixture.b.Leaf;

/** A one-way dependency for {@code PackageCyclesTest}: c uses b, and nothing in b uses c. */
public final class User {
    private User() {}

    public static int two() {
        return Leaf.one() + 1;
    }
}
