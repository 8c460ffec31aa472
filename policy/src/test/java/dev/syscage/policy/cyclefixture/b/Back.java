package dev.syscage.policy.cyclefixture.b;

import dev.syscage.policy.cyclefixture.a.There;

/** The other half of the package cycle for {@code PackageCyclesTest}: b uses a. */
public final class Back {
    public static final Object VALUE = new Object();

    private Back() {}

    public static int around() {
        return There.next() + Leaf.one();
    }
}
